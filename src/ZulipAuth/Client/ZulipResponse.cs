using System;
using System.Net;

namespace ZulipAuth.Client
{
    /// <summary>An answer as read off the wire: status, the JSON object (null when the body was not one), and the headers we use.</summary>
    internal sealed class ZulipResponse
    {
        public ZulipResponse(Uri requestUri, HttpStatusCode status, string? mediaType, JsonObject? json, TimeSpan? retryAfter, Uri? location)
        {
            RequestUri = requestUri;
            Status = status;
            MediaType = mediaType;
            Json = json;
            RetryAfter = retryAfter;
            Location = location;
        }

        public Uri RequestUri { get; }

        public HttpStatusCode Status { get; }

        public string? MediaType { get; }

        public JsonObject? Json { get; }

        public TimeSpan? RetryAfter { get; }

        public Uri? Location { get; }

        /// <summary>The retry rule of the request this answers, carried into any failure made from it.</summary>
        public RetrySafety RetrySafety { get; set; } = RetrySafety.WhenCertainlyNotSent;

        public bool IsZulipSuccess => (int)Status >= 200 && (int)Status < 300 && Json?.GetString("result") == "success";
    }
}
