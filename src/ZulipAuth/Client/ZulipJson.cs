using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.Serialization.Json;
using System.Xml;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Reads a JSON document with the framework's own reader (JsonReaderWriterFactory, in-box on .NET Framework
    /// and .NET), so no JSON library ships in the module folder. Objects become <see cref="JsonObject"/>, arrays
    /// <c>List&lt;object?&gt;</c>, strings <c>string</c>, numbers <see cref="JsonNumber"/>, booleans <c>bool</c>.
    /// </summary>
    internal static class ZulipJson
    {
        /// <summary>Parses a document whose root is an object; null when it is not JSON or not an object.</summary>
        public static JsonObject? TryParseObject(byte[] buffer, int count)
        {
            if (count == 0)
            {
                return null;
            }

            try
            {
                using var reader = JsonReaderWriterFactory.CreateJsonReader(buffer, 0, count, XmlDictionaryReaderQuotas.Max);
                reader.MoveToContent();
                return ReadValue(reader) as JsonObject;
            }
            catch (Exception e) when (e is XmlException || e is System.Runtime.Serialization.SerializationException || e is FormatException || e is InvalidOperationException)
            {
                return null;
            }
        }

        private static object? ReadValue(XmlReader reader)
        {
            var type = reader.GetAttribute("type") ?? "string";
            switch (type)
            {
                case "object":
                    return ReadContainer(reader, new JsonObject(), (o, key, value) => o[key] = value);
                case "array":
                    return ReadContainer(reader, new List<object?>(), (list, key, value) => list.Add(value));
                case "number":
                    return new JsonNumber(reader.ReadElementContentAsString());
                case "boolean":
                    return XmlConvert.ToBoolean(reader.ReadElementContentAsString());
                case "null":
                    reader.Skip();
                    return null;
                default:
                    return reader.ReadElementContentAsString();
            }
        }

        private static T ReadContainer<T>(XmlReader reader, T container, Action<T, string, object?> add)
        {
            if (reader.IsEmptyElement)
            {
                reader.Read();
                return container;
            }

            reader.ReadStartElement();
            while (reader.MoveToContent() == XmlNodeType.Element)
            {
                // Names that are not valid XML names (e.g. "openid connect") arrive as <a:item item="...">.
                var key = reader.NamespaceURI == "item" ? reader.GetAttribute("item") ?? string.Empty : reader.LocalName;
                add(container, key, ReadValue(reader));
            }

            reader.ReadEndElement();
            return container;
        }
    }

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

    /// <summary>A JSON number kept as its text, so neither an int nor a float is forced on it.</summary>
    internal sealed class JsonNumber
    {
        public JsonNumber(string text) => Text = text;

        public string Text { get; }

        public override string ToString() => Text;
    }
}
