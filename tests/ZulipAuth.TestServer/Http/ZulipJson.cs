using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ZulipAuth.TestServer.Http;

/// <summary>Writes JSON answers the way Zulip does: <c>{"result":..,"msg":..,...}</c>, application/json.</summary>
internal static class ZulipJson
{
    // Zulip (orjson) sends UTF-8 as is and does not escape '<' or '&' (realm_description is HTML).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A success body: result, msg "", then the fields written by <paramref name="fields"/>.</summary>
    public static Task SuccessAsync(HttpContext context, Action<Utf8JsonWriter> fields, CancellationToken cancellationToken) =>
        WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("result", "success");
            writer.WriteString("msg", "");
            fields(writer);
        }, cancellationToken);

    /// <summary>An error body: result "error", msg, code (when not null), then extra fields.</summary>
    public static Task ErrorAsync(
        HttpContext context, int status, string msg, string? code, CancellationToken cancellationToken,
        Action<Utf8JsonWriter>? extra = null) =>
        WriteAsync(context, status, writer =>
        {
            writer.WriteString("result", "error");
            writer.WriteString("msg", msg);
            if (code is not null)
                writer.WriteString("code", code);
            extra?.Invoke(writer);
        }, cancellationToken);

    /// <summary>Writes one JSON object with an exact Content-Length (HEAD gets the headers only).</summary>
    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> members, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        if (!HttpMethods.IsHead(context.Request.Method))
            await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>Python's <c>str(float)</c>: "1800.0", "0.5", "1799.123456789". Zulip puts the float as is in both
    /// the body and the Retry-After header, so clients see this exact text.</summary>
    public static string PythonFloat(double value)
    {
        if (double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < 1e16)
            return value.ToString("0.0", CultureInfo.InvariantCulture);
        // .NET's shortest round-trip text equals Python's repr except for the exponent letter's case.
        return value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>Writes a number member as Python's float text (System.Text.Json would write 1800 for 1800.0).</summary>
    public static void WritePythonFloat(Utf8JsonWriter writer, string name, double value)
    {
        writer.WritePropertyName(name);
        writer.WriteRawValue(PythonFloat(value), skipInputValidation: false);
    }
}
