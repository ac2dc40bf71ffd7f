using System.Collections;
using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Many runspaces at once against one server, as ForEach-Object -Parallel runs them: every answer reaches the
/// runspace that asked, and the pooled HttpClients are reused rather than made per call.
/// </summary>
[Collection(SerialCollection.Name)]
public class ConcurrencyTests : ModuleTestBase
{
    private const int Parallel = 20;

    private const string ParallelScript = """
        param($Server, $Module, $Jobs)
        $Jobs | ForEach-Object -ThrottleLimit 20 -Parallel {
            $VerbosePreference = 'Continue'
            Import-Module -Name $using:Module
            $job = $_
            $key = Get-ZulipApiKey -Server $using:Server -Credential $job.Credential -AsPlainText -ErrorVariable failed -ErrorAction SilentlyContinue
            [pscustomobject]@{
                Index   = $job.Index
                Key     = $key
                ErrorId = $(if ($failed) { $failed[0].FullyQualifiedErrorId } else { $null })
                Runspace = [runspace]::DefaultRunspace.InstanceId
                Pool    = [ZulipAuth.ZulipApiKey].Assembly.GetType('ZulipAuth.Client.HttpClientPool').GetProperty('Count').GetValue($null)
            }
        }
        """;

    private static readonly TestUser[] Users = new[] { TestUsers.Iago.Email, TestUsers.Hamlet.Email, TestUsers.Othello.Email }.Select(e => TestUsers.FindByEmail(e)!).ToArray();

    [Fact]
    public void TwentyRunspacesInParallelEachGetTheirOwnAnswerAndShareThePooledClient()
    {
        // Wrong passwords count toward Zulip's login limit; this test is about cross-talk, not that limit.
        Behaviour.RateLimitAttempts = 0;
        Assert.Empty(GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).Errors);
        var poolBefore = PoolCount();

        var jobs = Enumerable.Range(0, Parallel).Select(i => new Job(i, Users[i % Users.Length], wrongPassword: i % 4 == 3)).ToArray();
        var result = Session.RunWith(ParallelScript, new Hashtable
        {
            ["Server"] = Http,
            ["Module"] = PsSession.ModulePath,
            ["Jobs"] = jobs.Select(j => j.ToPSObject()).ToArray(),
        });

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(Parallel, result.Output.Count);
        foreach (var output in result.Output)
        {
            var job = jobs[(int)Value(output, "Index")!];
            var key = Value(output, "Key") as string;
            var errorId = Value(output, "ErrorId") as string;
            if (job.WrongPassword)
            {
                Assert.Null(key);
                Assert.StartsWith("ZulipAuthenticationFailed,", errorId);
            }
            else
            {
                Assert.Null(errorId);
                Assert.True(key == job.User.ApiKey, $"job {job.Index} ({job.User.Email}) got another user's key or none");
            }
        }

        Assert.True(result.Output.Select(o => Value(o, "Runspace")).Distinct().Count() > 1, "the jobs did not run in separate runspaces");
        Assert.Equal(Parallel, Posts - 1);
        // One pool for the process (every runspace loads the same assembly), and no client made per call.
        Assert.All(result.Output, o => Assert.Equal(poolBefore, Value(o, "Pool")));
        Assert.Equal(poolBefore, PoolCount());
        result.AssertNoSecret(TestUsers.Iago.Password, TestUsers.Hamlet.Password, TestUsers.Othello.Password, "wrong-");
        Assert.DoesNotContain(result.NonOutputText(), text => Users.Any(u => text.Contains(u.ApiKey, StringComparison.Ordinal)));
    }

    private static object? Value(PSObject o, string name) => o.Properties[name].Value is PSObject wrapped ? wrapped.BaseObject : o.Properties[name].Value;

    private int PoolCount() => (int)Session.Run("[ZulipAuth.ZulipApiKey].Assembly.GetType('ZulipAuth.Client.HttpClientPool').GetProperty('Count').GetValue($null)").Output.Single().BaseObject;

    private sealed class Job
    {
        public Job(int index, TestUser user, bool wrongPassword)
        {
            Index = index;
            User = user;
            WrongPassword = wrongPassword;
            Credential = Cred(user.Email, wrongPassword ? "wrong-" + index : user.Password!);
        }

        public int Index { get; }

        public TestUser User { get; }

        public bool WrongPassword { get; }

        public PSCredential Credential { get; }

        /// <summary>What the parallel script block sees as $_: the index and the credential only.</summary>
        public PSObject ToPSObject()
        {
            var o = new PSObject();
            o.Properties.Add(new PSNoteProperty(nameof(Index), Index));
            o.Properties.Add(new PSNoteProperty(nameof(Credential), Credential));
            return o;
        }
    }
}
