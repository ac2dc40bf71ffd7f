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

        // Depending on where it sits, invalid UTF-8 can surface as DecoderFallbackException (an ArgumentException)
        // rather than XmlException, and some stray closing brackets make the framework's reader index past its own
        // scope stack (IndexOutOfRangeException); each of these means the bytes are not a Zulip answer.
        private static bool IsMalformed(Exception e) =>
            e is XmlException || e is System.Runtime.Serialization.SerializationException || e is FormatException ||
            e is InvalidOperationException || e is ArgumentException || e is OverflowException || e is IndexOutOfRangeException;

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

            // The open containers, outermost first; the innermost is also in currentObject or currentList.
            var open = new object[8];
            var depth = 1;
            open[0] = root;
            JsonObject? currentObject = root;
            List<object?>? currentList = null;
            while (true)
            {
                if (reader.MoveToContent() != XmlNodeType.Element)
                {
                    // The end of the innermost open container.
                    reader.ReadEndElement();
                    open[--depth] = null!;
                    if (depth == 0)
                    {
                        return root;
                    }

                    currentObject = open[depth - 1] as JsonObject;
                    currentList = currentObject == null ? (List<object?>)open[depth - 1] : null;
                    continue;
                }

                // Names that are not valid XML names (e.g. "openid connect") arrive as <a:item item="...">.
                var key = currentObject == null
                    ? null
                    : reader.NamespaceURI == "item" ? reader.GetAttribute("item") ?? string.Empty : reader.LocalName;
                object? value;
                var type = reader.GetAttribute("type");
                switch (type)
                {
                    case "object":
                    case "array":
                        var childObject = type == "object" ? new JsonObject() : null;
                        var childList = childObject == null ? new List<object?>() : null;
                        object child = childObject ?? (object)childList!;
                        if (currentObject != null)
                        {
                            currentObject[key!] = child;
                        }
                        else
                        {
                            currentList!.Add(child);
                        }

                        if (reader.IsEmptyElement)
                        {
                            reader.Read();
                            continue;
                        }

                        if (depth == MaxDepth)
                        {
                            return null;
                        }

                        if (depth == open.Length)
                        {
                            Array.Resize(ref open, Math.Min(open.Length * 2, MaxDepth));
                        }

                        reader.ReadStartElement();
                        open[depth++] = child;
                        currentObject = childObject;
                        currentList = childList;
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

                if (currentObject != null)
                {
                    currentObject[key!] = value;
                }
                else
                {
                    currentList!.Add(value);
                }
            }
        }
    }
}
