using System;
using System.Collections.Generic;
using System.Globalization;

namespace ZulipAuth.Client
{
    /// <summary>A JSON object with typed accessors that return null for absent or mistyped members.</summary>
    internal sealed class JsonObject : Dictionary<string, object?>
    {
        public JsonObject() : base(StringComparer.Ordinal) { }

        public string? GetString(string name) => TryGetValue(name, out var v) ? v as string : null;

        public bool? GetBool(string name) => TryGetValue(name, out var v) && v is bool b ? b : (bool?)null;

        public JsonObject? GetObject(string name) => TryGetValue(name, out var v) ? v as JsonObject : null;

        public List<object?>? GetArray(string name) => TryGetValue(name, out var v) ? v as List<object?> : null;

        public int? GetInt(string name) =>
            TryGetValue(name, out var v) && v is JsonNumber n && int.TryParse(n.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : (int?)null;

        public double? GetDouble(string name) =>
            TryGetValue(name, out var v) && v is JsonNumber n && double.TryParse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (double?)null;
    }
}
