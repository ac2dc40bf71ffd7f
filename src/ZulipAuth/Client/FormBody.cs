using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Builds an application/x-www-form-urlencoded body. A secret field is percent-encoded straight from the
    /// SecureString's unmanaged buffer into bytes, so the password never becomes a managed string (which would
    /// linger on the heap until collected); the caller zeroes the returned bytes once the request is sent.
    /// </summary>
    internal sealed class FormBody
    {
        // A UTF-16 code unit becomes at most 3 UTF-8 bytes (a surrogate pair 4 for two units), each as "%XX".
        private const int MaxEncodedBytesPerChar = 9;

        private readonly MemoryStream buffer = new MemoryStream();

        /// <summary>The bytes reserved so far (tests: the room is made before a field is written).</summary>
        internal int Capacity => buffer.Capacity;

        public FormBody Add(string name, string value)
        {
            MakeRoom(name.Length + value.Length);
            Separator();
            Append(name);
            buffer.WriteByte((byte)'=');
            Append(value);
            return this;
        }

        public FormBody AddSecret(string name, SecureString value)
        {
            MakeRoom(name.Length + value.Length);
            Separator();
            Append(name);
            buffer.WriteByte((byte)'=');
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(value);
            try
            {
                var length = value.Length;
                for (var i = 0; i < length; i++)
                {
                    var c = (char)Marshal.ReadInt16(pointer, i * 2);
                    if (char.IsHighSurrogate(c) && i + 1 < length)
                    {
                        var low = (char)Marshal.ReadInt16(pointer, (i + 1) * 2);
                        if (char.IsLowSurrogate(low))
                        {
                            AppendCodePoint(char.ConvertToUtf32(c, low));
                            i++;
                            continue;
                        }
                    }

                    AppendCodePoint(char.IsSurrogate(c) ? 0xFFFD : c);
                }
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }

            return this;
        }

        /// <summary>The encoded body. The internal buffer is cleared; the caller owns (and must zero) the copy.</summary>
        public byte[] ToArrayAndClear()
        {
            var bytes = buffer.ToArray();
            var internalBuffer = buffer.GetBuffer();
            Array.Clear(internalBuffer, 0, internalBuffer.Length);
            buffer.SetLength(0);
            return bytes;
        }

        /// <summary>
        /// Grows the buffer, before a field is written, to hold it whatever it encodes to: a buffer that grew while
        /// a secret was being written would leave an un-zeroed copy of it behind. Sized to the fields actually
        /// added, so a login allocates a few hundred bytes, not a fixed 4 KiB.
        /// </summary>
        private void MakeRoom(int characters)
        {
            // A separator and '=' besides the encoded name and value.
            var needed = buffer.Length + 2 + (long)characters * MaxEncodedBytesPerChar;
            if (needed <= buffer.Capacity)
            {
                return;
            }

            var old = buffer.GetBuffer();
            buffer.Capacity = (int)Math.Min(int.MaxValue, Math.Max(needed, 2L * buffer.Capacity));
            Array.Clear(old, 0, old.Length);
        }

        private void Separator()
        {
            if (buffer.Length > 0)
            {
                buffer.WriteByte((byte)'&');
            }
        }

        private void Append(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    AppendCodePoint(char.ConvertToUtf32(text[i], text[i + 1]));
                    i++;
                }
                else
                {
                    AppendCodePoint(char.IsSurrogate(text[i]) ? 0xFFFD : text[i]);
                }
            }
        }

        private void AppendCodePoint(int codePoint)
        {
            if (codePoint < 0x80 && IsUnreserved((char)codePoint))
            {
                buffer.WriteByte((byte)codePoint);
                return;
            }

            Span4 utf8 = default;
            var count = EncodeUtf8(codePoint, ref utf8);
            for (var i = 0; i < count; i++)
            {
                var b = utf8[i];
                buffer.WriteByte((byte)'%');
                buffer.WriteByte((byte)Hex[b >> 4]);
                buffer.WriteByte((byte)Hex[b & 0xF]);
            }

            utf8 = default;
        }

        private const string Hex = "0123456789ABCDEF";

        private static bool IsUnreserved(char c) =>
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';

        private static int EncodeUtf8(int cp, ref Span4 o)
        {
            if (cp < 0x80) { o[0] = (byte)cp; return 1; }
            if (cp < 0x800) { o[0] = (byte)(0xC0 | (cp >> 6)); o[1] = (byte)(0x80 | (cp & 0x3F)); return 2; }
            if (cp < 0x10000) { o[0] = (byte)(0xE0 | (cp >> 12)); o[1] = (byte)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (byte)(0x80 | (cp & 0x3F)); return 3; }
            o[0] = (byte)(0xF0 | (cp >> 18)); o[1] = (byte)(0x80 | ((cp >> 12) & 0x3F)); o[2] = (byte)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (byte)(0x80 | (cp & 0x3F));
            return 4;
        }

        /// <summary>Four bytes on the stack, so no heap array ever holds a piece of a secret.</summary>
        private struct Span4
        {
            private byte b0, b1, b2, b3;

            public byte this[int i]
            {
                get => i switch { 0 => b0, 1 => b1, 2 => b2, _ => b3 };
                set { switch (i) { case 0: b0 = value; break; case 1: b1 = value; break; case 2: b2 = value; break; default: b3 = value; break; } }
            }
        }
    }
}
