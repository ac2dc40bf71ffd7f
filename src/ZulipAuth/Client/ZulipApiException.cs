using System;
using System.Net;

namespace ZulipAuth
{
    /// <summary>
    /// Every failure the module reports. The message is the server's own words (when it said any) followed by
    /// what to do next; it never contains a password or an API key (the client masks any that a server repeats,
    /// see RequestSecrets), and its control, bidi and invisible characters are neutralised (DisplayText) so that
    /// a console or log shows it as one harmless line. <see cref="ServerMessage"/> keeps the server's exact text,
    /// masked only.
    /// </summary>
    [Serializable]
    public class ZulipApiException : Exception
    {
        public ZulipApiException(string errorId, string message, Exception? innerException = null)
            : base(ZulipAuth.Client.DisplayText.Neutralize(message ?? string.Empty), innerException)
        {
            ErrorId = errorId;
        }

        /// <summary>A failure told as what happened, then what to do; the hint is also kept on its own in <see cref="Hint"/>.</summary>
        public static ZulipApiException WithHint(string errorId, string what, string hint, Exception? innerException = null) =>
            new ZulipApiException(errorId, what + " " + hint, innerException) { Hint = hint };

        /// <summary>The module's stable id (see <see cref="ZulipErrorId"/>).</summary>
        public string ErrorId { get; }

        /// <summary>The server's machine-readable <c>code</c>, or null (old servers, non-Zulip answers, local failures).</summary>
        public string? Code { get; internal set; }

        /// <summary>The HTTP status of the answer, or null when no answer arrived.</summary>
        public HttpStatusCode? StatusCode { get; internal set; }

        /// <summary>The server's <c>msg</c>, verbatim (but with the request's secrets masked), or null.</summary>
        public string? ServerMessage { get; internal set; }

        /// <summary>How long the server asked us to wait (429, 503), or null.</summary>
        public TimeSpan? RetryAfter { get; internal set; }

        /// <summary>The URL the request went to (no credentials ever appear in it).</summary>
        public Uri? RequestUri { get; internal set; }

        /// <summary>What to do next, on its own (also the end of <see cref="Exception.Message"/>); printable like the message.</summary>
        public string? Hint { get => hint; internal set => hint = ZulipAuth.Client.DisplayText.NeutralizeOrNull(value); }

        private string? hint;

        /// <summary>True when a retry with the same input may succeed (429, 502-504, connection failures).</summary>
        public bool IsTransient { get; internal set; }

        /// <summary>True when the request certainly never reached the server (refused, unresolved, failed TLS handshake).</summary>
        internal bool CertainlyNotSent { get; set; }

        /// <summary>True when the failure is a complete answer read from the server (status and whole body).</summary>
        internal bool CompleteAnswer { get; set; }

        /// <summary>The retry rule of the request that failed; the strictest when nothing says otherwise.</summary>
        internal Client.RetrySafety RetrySafety { get; set; } = Client.RetrySafety.WhenCertainlyNotSent;

        /// <summary>
        /// A copy with <paramref name="mask"/> applied to every text property (the message, the hint and the server's
        /// <c>msg</c> and <c>code</c>) and the other properties as they are; the same instance when nothing changed.
        /// A property added to this class must be copied here (a unit test checks that all are).
        /// </summary>
        internal ZulipApiException WithMaskedTexts(Func<string, string> mask, Exception? innerException)
        {
            string? Apply(string? text) => text == null ? null : mask(text);
            var message = mask(Message);
            var serverMessage = Apply(ServerMessage);
            var code = Apply(Code);
            var hint = Apply(Hint);
            if (ReferenceEquals(message, Message) && ReferenceEquals(serverMessage, ServerMessage) && ReferenceEquals(code, Code) &&
                ReferenceEquals(hint, Hint) && ReferenceEquals(innerException, InnerException))
            {
                return this;
            }

            return new ZulipApiException(ErrorId, message, innerException)
            {
                Code = code,
                StatusCode = StatusCode,
                ServerMessage = serverMessage,
                RetryAfter = RetryAfter,
                RequestUri = RequestUri,
                Hint = hint,
                IsTransient = IsTransient,
                CertainlyNotSent = CertainlyNotSent,
                CompleteAnswer = CompleteAnswer,
                RetrySafety = RetrySafety,
            };
        }

        protected ZulipApiException(System.Runtime.Serialization.SerializationInfo info, System.Runtime.Serialization.StreamingContext context)
            : base(info, context)
        {
            ErrorId = info.GetString(nameof(ErrorId)) ?? ZulipErrorId.UnexpectedResponse;
        }

        public override void GetObjectData(System.Runtime.Serialization.SerializationInfo info, System.Runtime.Serialization.StreamingContext context)
        {
            base.GetObjectData(info, context);
            info.AddValue(nameof(ErrorId), ErrorId);
        }
    }
}
