namespace ZulipAuth.Client
{
    /// <summary>A JSON number kept as its text, so neither an int nor a float is forced on it (and no size overflows).</summary>
    internal sealed class JsonNumber
    {
        public JsonNumber(string text) => Text = text;

        public string Text { get; }

        public override string ToString() => Text;
    }
}
