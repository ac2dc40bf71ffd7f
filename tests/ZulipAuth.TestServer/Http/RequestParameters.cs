using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ZulipAuth.TestServer.Http;

/// <summary>
/// The request's parameters as Zulip reads them: the form body (urlencoded or multipart) first, then the
/// query string, which Zulip also reads for a POST. A JSON (or any other) body is not parsed, like Django.
/// Names match exactly; a repeated name yields its last value (Django's QueryDict.get).
/// </summary>
internal sealed class RequestParameters
{
    private readonly List<KeyValuePair<string, string>> _form;
    private readonly List<KeyValuePair<string, string>> _query;

    private RequestParameters(List<KeyValuePair<string, string>> form, List<KeyValuePair<string, string>> query)
    {
        _form = form;
        _query = query;
    }

    public static RequestParameters Empty { get; } = new([], []);

    /// <summary>Form field names in order of first appearance.</summary>
    public IReadOnlyList<string> FormKeys => _form.Select(p => p.Key).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Query parameter names in order of first appearance.</summary>
    public IReadOnlyList<string> QueryKeys => _query.Select(p => p.Key).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>All parameter names (form, then query), each once.</summary>
    public IEnumerable<string> AllKeys => _form.Concat(_query).Select(p => p.Key).Distinct(StringComparer.Ordinal);

    public bool Has(string name) => Get(name) is not null;

    /// <summary>The value, or null when the parameter is absent (an empty value is present).</summary>
    public string? Get(string name) => LastValue(_form, name) ?? LastValue(_query, name);

    private static string? LastValue(List<KeyValuePair<string, string>> pairs, string name)
    {
        for (var i = pairs.Count - 1; i >= 0; i--)
        {
            if (string.Equals(pairs[i].Key, name, StringComparison.Ordinal))
                return pairs[i].Value;
        }

        return null;
    }

    /// <summary>Reads form and query. Never throws for a bad body: a body that cannot be parsed counts as no
    /// form, as Django leaves request.POST empty.</summary>
    public static async Task<RequestParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in request.Query)
            AddAll(query, key, values);

        var form = new List<KeyValuePair<string, string>>();
        if (request.HasFormContentType && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            try
            {
                var collection = await request.ReadFormAsync(cancellationToken);
                foreach (var (key, values) in collection)
                    AddAll(form, key, values);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or FormatException)
            {
                form.Clear();
            }
        }

        return new RequestParameters(form, query);
    }

    private static void AddAll(List<KeyValuePair<string, string>> pairs, string key, StringValues values)
    {
        foreach (var value in values)
            pairs.Add(new(key, value ?? ""));
    }
}
