namespace ZulipAuth.Client
{
    /// <summary>One line of a zuliprc: where it is in the text, its own line ending, and what it belongs to.</summary>
    internal sealed class ZulipRcLine
    {
        public ZulipRcLine(int start, int length, string ending, string? section)
        {
            Start = start;
            Length = length;
            Ending = ending;
            Section = section;
        }

        public int Start { get; }

        public int Length { get; }

        /// <summary>"\n", "\r\n", "\r", or empty for a last line without one.</summary>
        public string Ending { get; }

        public LineRole Role { get; set; }

        public string? Section { get; set; }

        /// <summary>The lower-cased key of a setting or continuation line.</summary>
        public string? Option { get; set; }

        /// <summary>The whitespace the line begins with.</summary>
        public string Indent(string text)
        {
            var end = Start;
            while (end < Start + Length && ZulipRcDocument.IsSpace(text[end]))
            {
                end++;
            }

            return text.Substring(Start, end - Start);
        }
    }
}
