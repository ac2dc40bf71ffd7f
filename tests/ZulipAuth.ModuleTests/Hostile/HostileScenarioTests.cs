namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>Every table of hostile scenarios, by name (the names are the Theory rows).</summary>
public static class HostileTables
{
    public static readonly IReadOnlyDictionary<string, HostileCase> Json = Index(JsonScenarios.All());
    public static readonly IReadOnlyDictionary<string, HostileCase> Wire = Index(WireScenarios.All());
    public static readonly IReadOnlyDictionary<string, HostileCase> Text = Index(ServerTextScenarios.All());
    public static readonly IReadOnlyDictionary<string, HostileCase> Redirects = Index(RedirectScenarios.All());

    public static TheoryData<string> Names(IReadOnlyDictionary<string, HostileCase> table)
    {
        var data = new TheoryData<string>();
        foreach (var name in table.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static IReadOnlyDictionary<string, HostileCase> Index(IEnumerable<HostileCase> cases)
    {
        var index = new Dictionary<string, HostileCase>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            // A duplicated name would silently hide a scenario.
            index.Add(c.Name, c);
        }

        return index;
    }
}

public class HostileJsonTests(HostileSessionFixture fixture) : IClassFixture<HostileSessionFixture>
{
    public static TheoryData<string> Cases => HostileTables.Names(HostileTables.Json);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scenario(string name) => HostileRunner.Run(fixture.Session, HostileTables.Json[name]);
}

public class HostileWireTests(HostileSessionFixture fixture) : IClassFixture<HostileSessionFixture>
{
    public static TheoryData<string> Cases => HostileTables.Names(HostileTables.Wire);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scenario(string name) => HostileRunner.Run(fixture.Session, HostileTables.Wire[name]);
}

public class HostileServerTextTests(HostileSessionFixture fixture) : IClassFixture<HostileSessionFixture>
{
    public static TheoryData<string> Cases => HostileTables.Names(HostileTables.Text);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scenario(string name) => HostileRunner.Run(fixture.Session, HostileTables.Text[name]);
}

public class HostileRedirectTests(HostileSessionFixture fixture) : IClassFixture<HostileSessionFixture>
{
    public static TheoryData<string> Cases => HostileTables.Names(HostileTables.Redirects);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scenario(string name) => HostileRunner.Run(fixture.Session, HostileTables.Redirects[name]);
}

public class HostileSuiteTests
{
    [Fact]
    public void TheSuiteHasAtLeast150Scenarios()
    {
        var count = HostileTables.Json.Count + HostileTables.Wire.Count + HostileTables.Text.Count + HostileTables.Redirects.Count;
        Assert.True(count >= 150, $"only {count} hostile scenarios");
    }
}
