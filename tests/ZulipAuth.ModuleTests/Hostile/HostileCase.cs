namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>Which cmdlet a scenario drives.</summary>
public enum HostileCommand
{
    /// <summary>Get-ZulipApiKey with the canary password (preflight GET server_settings, then the POST).</summary>
    GetKey,

    /// <summary>Get-ZulipServerSettings (GET server_settings only).</summary>
    Settings,

    /// <summary>Test-ZulipApiKey with the canary key (GET users/me with Basic auth).</summary>
    TestKey,
}

/// <summary>
/// One hostile scenario: how the server misbehaves, which cmdlet meets it, the ErrorId it must end in (null: the
/// call must succeed), the longest it may take, and what else to check. <see cref="Decision"/> names the row of
/// the shared decisions the expected outcome comes from ("main" where the decisions leave it to today's ErrorId).
/// </summary>
public sealed record HostileCase(string Name, HostileCommand Command, string? ErrorId, string Decision, Action<HostileServer> Arrange)
{
    public string Extra { get; init; } = string.Empty;

    /// <summary>Reach the server over TLS (with -SkipCertificateCheck) instead of plain http.</summary>
    public bool Tls { get; init; }

    /// <summary>Overrides the -Server argument (the hostile server's own URL is passed in).</summary>
    public Func<HostileServer, string>? ServerArgument { get; init; }

    /// <summary>The user name in the credential (Get-ZulipApiKey) or the email (Test-ZulipApiKey).</summary>
    public string User { get; init; } = HostileServer.Email;

    public double MaxSeconds { get; init; } = 8;

    /// <summary>Output a successful Test-ZulipApiKey must give ($true or $false).</summary>
    public bool? Verdict { get; init; }

    public Action<HostileServer, PsResult, TimeSpan>? Verify { get; init; }

    public override string ToString() => Name;
}
