using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The secrets one request carries (a password, an API key, a token), so that whatever the server says back
    /// can be cleaned of them before it reaches a message or a stream: a hostile or buggy server may repeat what it
    /// was sent in <c>msg</c>, in <c>ignored_parameters_unsupported</c> or in a redirect's Location. Every
    /// occurrence becomes <see cref="Mask"/>, as typed, as the form body encoded it (either hex case, space as
    /// <c>+</c> or <c>%20</c>), in base64, as the base64 of the Basic <c>email:key</c> pair, and as it reads
    /// once <see cref="DisplayText"/> has neutralised it.
    /// </summary>
    /// <remarks>
    /// Secrets stay in their <see cref="SecureString"/>s; the plain forms exist only in char and byte arrays for
    /// the duration of one <see cref="Apply(ZulipApiException)"/> or <see cref="Apply(string)"/> call and are
    /// zeroed after it, which only failures and warnings pay for.
    /// </remarks>
    internal sealed class RequestSecrets
    {
        public const string Mask = "********";

        public static readonly RequestSecrets None = new RequestSecrets(Array.Empty<Entry>());

        private readonly Entry[] entries;

        private RequestSecrets(Entry[] entries) => this.entries = entries;

        public bool IsEmpty => entries.Length == 0;

        /// <summary>These secrets and <paramref name="secret"/> (a password or key, kept by reference, not copied).</summary>
        public RequestSecrets With(SecureString secret) => Add(new Entry(secret, null, null));

        /// <summary>For a secret that already arrived as a string (a token in an answer).</summary>
        public RequestSecrets With(string secret) => Add(new Entry(null, secret, null));

        /// <summary>An API key sent as HTTP Basic <c>user:key</c>: the key, and the base64 of the pair.</summary>
        public RequestSecrets WithBasic(string user, SecureString key) => Add(new Entry(key, null, user));

        /// <summary>The text with every form of every secret masked; the same instance when none occurs.</summary>
        public string? Apply(string? text)
        {
            if (IsEmpty || string.IsNullOrEmpty(text))
            {
                return text;
            }

            var forms = Forms();
            try
            {
                return Replace(text!, forms);
            }
            finally
            {
                Clear(forms);
            }
        }

        /// <summary>Each text masked (null stays null).</summary>
        public string[] Apply(string[] texts)
        {
            if (IsEmpty || texts.Length == 0)
            {
                return texts;
            }

            var forms = Forms();
            try
            {
                var masked = new string[texts.Length];
                for (var i = 0; i < texts.Length; i++)
                {
                    masked[i] = texts[i] == null ? texts[i] : Replace(texts[i], forms);
                }

                return masked;
            }
            finally
            {
                Clear(forms);
            }
        }

        /// <summary>
        /// The failure with its message, hint, server message and code masked; the same instance when no secret occurs.
        /// An inner exception whose text holds a secret (a framework message quoting the server's bytes) is
        /// dropped, since its message cannot be changed.
        /// </summary>
        public ZulipApiException Apply(ZulipApiException failure)
        {
            if (IsEmpty)
            {
                return failure;
            }

            var forms = Forms();
            try
            {
                var inner = failure.InnerException;
                for (var e = inner; e != null; e = e.InnerException)
                {
                    var text = e.Message;
                    if (!ReferenceEquals(Replace(text, forms), text))
                    {
                        inner = null;
                        break;
                    }
                }

                return failure.WithMaskedTexts(text => Replace(text, forms), inner);
            }
            finally
            {
                Clear(forms);
            }
        }

        private RequestSecrets Add(Entry entry)
        {
            var all = new Entry[entries.Length + 1];
            Array.Copy(entries, all, entries.Length);
            all[entries.Length] = entry;
            return new RequestSecrets(all);
        }

        /// <summary>Every form of every secret, longest first, so a longer form is masked whole before a shorter one inside it.</summary>
        private List<char[]> Forms()
        {
            var forms = new List<char[]>();
            foreach (var entry in entries)
            {
                var raw = entry.Reveal();
                if (raw.Length == 0)
                {
                    continue;
                }

                AddDistinct(forms, raw);
                var utf8 = Utf8(raw);
                try
                {
                    AddDistinct(forms, PercentEncoded(utf8, upperHex: true, plusForSpace: false));
                    AddDistinct(forms, PercentEncoded(utf8, upperHex: true, plusForSpace: true));
                    AddDistinct(forms, PercentEncoded(utf8, upperHex: false, plusForSpace: false));
                    AddDistinct(forms, PercentEncoded(utf8, upperHex: false, plusForSpace: true));
                    AddDistinct(forms, Base64(utf8));
                    if (entry.BasicUser != null)
                    {
                        var user = Encoding.UTF8.GetBytes(entry.BasicUser + ":");
                        var pair = new byte[user.Length + utf8.Length];
                        Buffer.BlockCopy(user, 0, pair, 0, user.Length);
                        Buffer.BlockCopy(utf8, 0, pair, user.Length, utf8.Length);
                        AddDistinct(forms, Base64(pair));
                        Array.Clear(pair, 0, pair.Length);
                    }
                }
                finally
                {
                    Array.Clear(utf8, 0, utf8.Length);
                }

                var shown = (char[])raw.Clone();
                for (var i = 0; i < shown.Length; i++)
                {
                    if (DisplayText.IsUnsafe(shown[i]))
                    {
                        shown[i] = DisplayText.Replacement;
                    }
                }

                AddDistinct(forms, shown);
            }

            forms.Sort((a, b) => b.Length.CompareTo(a.Length));
            return forms;
        }

        private static void AddDistinct(List<char[]> forms, char[] form)
        {
            foreach (var existing in forms)
            {
                if (existing.Length == form.Length && SameChars(existing, form))
                {
                    Array.Clear(form, 0, form.Length);
                    return;
                }
            }

            forms.Add(form);
        }

        private static bool SameChars(char[] a, char[] b)
        {
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static string Replace(string text, List<char[]> forms)
        {
            StringBuilder? masked = null;
            var copiedUpTo = 0;
            for (var i = 0; i < text.Length;)
            {
                var length = MatchAt(text, i, forms);
                if (length == 0)
                {
                    i++;
                    continue;
                }

                masked ??= new StringBuilder(text.Length);
                masked.Append(text, copiedUpTo, i - copiedUpTo).Append(Mask);
                i += length;
                copiedUpTo = i;
            }

            if (masked == null)
            {
                return text;
            }

            return masked.Append(text, copiedUpTo, text.Length - copiedUpTo).ToString();
        }

        private static int MatchAt(string text, int start, List<char[]> forms)
        {
            foreach (var form in forms)
            {
                if (form.Length > text.Length - start || form[0] != text[start])
                {
                    continue;
                }

                var j = 1;
                while (j < form.Length && text[start + j] == form[j])
                {
                    j++;
                }

                if (j == form.Length)
                {
                    return form.Length;
                }
            }

            return 0;
        }

        private static byte[] Utf8(char[] chars) => new UTF8Encoding(false, false).GetBytes(chars);

        private static char[] PercentEncoded(byte[] utf8, bool upperHex, bool plusForSpace)
        {
            var hex = upperHex ? "0123456789ABCDEF" : "0123456789abcdef";
            var count = 0;
            foreach (var b in utf8)
            {
                count += IsUnreserved(b) || (plusForSpace && b == ' ') ? 1 : 3;
            }

            var encoded = new char[count];
            var k = 0;
            foreach (var b in utf8)
            {
                if (IsUnreserved(b))
                {
                    encoded[k++] = (char)b;
                }
                else if (plusForSpace && b == ' ')
                {
                    encoded[k++] = '+';
                }
                else
                {
                    encoded[k++] = '%';
                    encoded[k++] = hex[b >> 4];
                    encoded[k++] = hex[b & 0xF];
                }
            }

            return encoded;
        }

        // The set FormBody leaves as it is (RFC 3986 unreserved).
        private static bool IsUnreserved(byte b) =>
            (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_' || b == '.' || b == '~';

        private static char[] Base64(byte[] bytes)
        {
            var chars = new char[(bytes.Length + 2) / 3 * 4];
            Convert.ToBase64CharArray(bytes, 0, bytes.Length, chars, 0);
            return chars;
        }

        private static void Clear(List<char[]> forms)
        {
            foreach (var form in forms)
            {
                Array.Clear(form, 0, form.Length);
            }

            forms.Clear();
        }

        private sealed class Entry
        {
            private readonly SecureString? secure;
            private readonly string? plain;

            public Entry(SecureString? secure, string? plain, string? basicUser)
            {
                this.secure = secure;
                this.plain = plain;
                BasicUser = basicUser;
            }

            public string? BasicUser { get; }

            /// <summary>The secret's characters in a new array the caller zeroes.</summary>
            public char[] Reveal()
            {
                if (plain != null)
                {
                    return plain.ToCharArray();
                }

                int length;
                IntPtr pointer;
                try
                {
                    length = secure!.Length;
                    pointer = length == 0 ? IntPtr.Zero : Marshal.SecureStringToGlobalAllocUnicode(secure);
                }
                catch (ObjectDisposedException)
                {
                    // The caller let go of it after the request: nothing left to mask with.
                    return Array.Empty<char>();
                }

                var chars = new char[length];
                if (length == 0)
                {
                    return chars;
                }

                try
                {
                    Marshal.Copy(pointer, chars, 0, length);
                }
                finally
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(pointer);
                }

                return chars;
            }
        }
    }
}
