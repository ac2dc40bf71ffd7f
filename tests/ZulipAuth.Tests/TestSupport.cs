using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace ZulipAuth.Tests;

/// <summary>Small helpers shared by the client tests.</summary>
internal static class TestSupport
{
    public static readonly Uri Server = new("https://chat.example.com/");

    public const string UserAgent = "UA/1";

    /// <summary>Iago's key in Zulip's development environment.</summary>
    public const string IagoKey = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    public static string Reveal(SecureString secure)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(pointer, secure.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    /// <summary>An answer as a Zulip server (or something in front of it) sends it.</summary>
    public static HttpResponseMessage Answer(int status, string body, string? contentType = "application/json", params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType != null)
        {
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var (name, value) in headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    public static ZulipAuth.Client.ZulipClient Client(HttpMessageHandler handler, TimeSpan? timeout = null) =>
        new(new HttpClient(handler), timeout ?? TimeSpan.FromSeconds(5), UserAgent);

    /// <summary>Every string an exception exposes: message, ToString, hint, server message, URI, data, and the same for each inner exception.</summary>
    public static IEnumerable<string> ExposedText(Exception exception)
    {
        for (var e = exception; e != null; e = e.InnerException)
        {
            yield return e.Message;
            yield return e.ToString();
            foreach (System.Collections.DictionaryEntry entry in e.Data)
            {
                yield return entry.Key + "=" + entry.Value;
            }

            if (e is ZulipApiException z)
            {
                yield return z.Hint ?? string.Empty;
                yield return z.ServerMessage ?? string.Empty;
                yield return z.Code ?? string.Empty;
                yield return z.RequestUri?.ToString() ?? string.Empty;
            }
        }
    }
}

/// <summary>A handler made of a delegate, recording every request it was given (body read before the delegate runs).</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond;

    public StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) => this.respond = respond;

    public StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : this((r, _) => Task.FromResult(respond(r))) { }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content == null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        return await respond(request, cancellationToken);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, byte[]? Body);

/// <summary>A response body that never ends, counting what was read from it.</summary>
internal sealed class EndlessStream : Stream
{
    private long served;

    public long Served => Interlocked.Read(ref served);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => served; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        Array.Fill(buffer, (byte)' ', offset, count);
        Interlocked.Add(ref served, count);
        return count;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A response body that gives <paramref name="prefix"/>, then either fails with <paramref name="failure"/> or, when
/// none is given, stalls. A stall ends only when the stream is disposed (as on .NET Framework, whose streams
/// ignore tokens) or, when <paramref name="honourToken"/>, when the read's token is cancelled.
/// </summary>
internal sealed class ScriptedStream(byte[] prefix, Exception? failure, bool honourToken) : Stream
{
    private readonly TaskCompletionSource disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int position;

    public bool IsDisposed => disposed.Task.IsCompleted;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (position < prefix.Length)
        {
            var n = Math.Min(count, prefix.Length - position);
            Array.Copy(prefix, position, buffer, offset, n);
            position += n;
            return n;
        }

        if (failure != null)
        {
            throw failure;
        }

        if (honourToken)
        {
            await Task.WhenAny(disposed.Task, Task.Delay(Timeout.Infinite, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
        else
        {
            await disposed.Task;
        }

        throw new ObjectDisposedException(nameof(ScriptedStream));
    }

    protected override void Dispose(bool disposing)
    {
        disposed.TrySetResult();
        base.Dispose(disposing);
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A finite body that cannot tell its length, as a chunked answer cannot.</summary>
internal sealed class NonSeekableStream(byte[] content) : Stream
{
    private int position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(count, content.Length - position);
        Array.Copy(content, position, buffer, offset, n);
        position += n;
        return n;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
