using System;
using System.Collections.Generic;
using System.Runtime.Serialization.Json;
using System.Xml;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Reads a JSON document with the framework's own reader (JsonReaderWriterFactory, in-box on .NET Framework
    /// and .NET), so no JSON library ships in the module folder. Objects become <see cref="JsonObject"/>, arrays
    /// <c>List&lt;object?&gt;</c>, strings <c>string</c>, numbers <see cref="JsonNumber"/>, booleans <c>bool</c>.
    /// </summary>
    /// <remarks>
    /// Any server (or anything on a plain-http path) chooses these bytes, so the reader keeps its own stack rather
    /// than the thread's: a recursive reader let a 40 KB <c>[[[[…</c> answer overflow the stack, which no catch
    /// survives and which ends the whole process. Zulip's answers nest fewer than 10 levels.
    /// </remarks>
    internal static class ZulipJson
    {
        /// <summary>The deepest nesting of objects and arrays accepted (the root object counts as 1).</summary>
        public const int MaxDepth = 64;

        // The framework reader makes one XML element per container and per member, so a leaf sits one level below
        // its container: MaxDepth + 1 lets every accepted document through and stops a deeper one early.
        private static readonly XmlDictionaryReaderQuotas Quotas = new XmlDictionaryReaderQuotas
        {
            MaxDepth = MaxDepth + 1,
            MaxStringContentLength = int.MaxValue,
            MaxArrayLength = int.MaxValue,
            MaxBytesPerRead = int.MaxValue,
            MaxNameTableCharCount = int.MaxValue,
        };

        /// <summary>
        /// Parses a document whose root is an object; null when it is not JSON (invalid UTF-8 included), not an
        /// object, or nested deeper than <see cref="MaxDepth"/>.
        /// </summary>
        public static JsonObject? TryParseObject(byte[] buffer, int count)
        {
            if (count == 0)
            {
                return null;
            }

            try
            {
                using var reader = JsonReaderWriterFactory.CreateJsonReader(buffer, 0, count, Quotas);
                reader.MoveToContent();
                return reader.GetAttribute("type") == "object" ? ReadObject(reader) : null;
            }
            catch (Exception e) when (IsMalformed(e))
            {
                return null;
            }
        }

        // Invalid UTF-8 surfaces as DecoderFallbackException and a lone escaped surrogate as ArgumentException.
        private static bool IsMalformed(Exception e) =>
            e is XmlException || e is System.Runtime.Serialization.SerializationException || e is FormatException ||
            e is InvalidOperationException || e is ArgumentException || e is OverflowException;

        /// <summary>Reads the object the reader is on, and everything in it, without recursion.</summary>
        private static JsonObject? ReadObject(XmlReader reader)
        {
            var root = new JsonObject();
            if (reader.IsEmptyElement)
            {
                reader.Read();
                return root;
            }

            reader.ReadStartElement();
            var open = new Stack<object>();
            open.Push(root);
            while (true)
            {
                if (reader.MoveToContent() != XmlNodeType.Element)
                {
                    // The end of the innermost open container.
                    reader.ReadEndElement();
                    open.Pop();
                    if (open.Count == 0)
                    {
                        return root;
                    }

                    continue;
                }

                var container = open.Peek();

                // Names that are not valid XML names (e.g. "openid connect") arrive as <a:item item="...">.
                var key = container is JsonObject
                    ? (reader.NamespaceURI == "item" ? reader.GetAttribute("item") ?? string.Empty : reader.LocalName)
                    : null;
                object? value;
                switch (reader.GetAttribute("type"))
                {
                    case "object":
                    case "array":
                        var isObject = reader.GetAttribute("type") == "object";
                        object child = isObject ? new JsonObject() : (object)new List<object?>();
                        Add(container, key, child);
                        if (reader.IsEmptyElement)
                        {
                            reader.Read();
                            continue;
                        }

                        if (open.Count >= MaxDepth)
                        {
                            return null;
                        }

                        reader.ReadStartElement();
                        open.Push(child);
                        continue;
                    case "number":
                        value = new JsonNumber(reader.ReadElementContentAsString());
                        break;
                    case "boolean":
                        value = XmlConvert.ToBoolean(reader.ReadElementContentAsString());
                        break;
                    case "null":
                        reader.Skip();
                        value = null;
                        break;
                    default:
                        value = reader.ReadElementContentAsString();
                        break;
                }

                Add(container, key, value);
            }
        }

        private static void Add(object container, string? key, object? value)
        {
            if (container is JsonObject o)
            {
                o[key!] = value;
            }
            else
            {
                ((List<object?>)container).Add(value);
            }
        }
    }
}
