using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace ZulipAuth.TestServer;

/// <summary>
/// Demo entry point: <c>dotnet run --project tests/ZulipAuth.TestServer -- [options]</c>.
/// Prints <c>http: URL</c>, <c>https: URL</c>, then <c>ready</c>, and runs until stdin closes or reads
/// "stop", or SIGINT/SIGTERM. A script can start it as a child process and read those three lines.
/// Other stdin lines are <see cref="DemoCommands"/> that change the switches; each gets one answer line.
/// </summary>
internal static class Program
{
    private const string Usage =
        """
        Usage: ZulipAuth.TestServer [options]
          --http-port N      HTTP port on 127.0.0.1 (default: a free port)
          --https-port N     HTTPS port on 127.0.0.1 (default: a free port)
          --dev              development server: enables POST /api/v1/dev_fetch_api_key
          --ldap             LDAP enabled (log in as "ldapuser")
          --old-server       answer like a server without error codes (403 failed login)
          --feature-level N  API feature level (default 400)
          --cert-pem PATH    write the HTTPS certificate (PEM) to PATH before "ready"
          --proxy            also start a LoopbackConnectProxy; prints "proxy: URL" before "ready"
          --proxy-credential USER:PASSWORD   the proxy requires these Basic credentials (implies --proxy)
          --ignore-stdin     do not read stdin at all (stop with SIGINT/SIGTERM)

        While running, stdin also takes commands that change the switches; "help" lists them.
        """;

    public static async Task<int> Main(string[] args)
    {
        var behaviour = new ServerBehaviour();
        int httpPort = 0, httpsPort = 0;
        string? certPath = null;
        var ignoreStdin = false;
        var startProxy = false;
        NetworkCredential? proxyCredential = null;

        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--http-port" when TryPort(args, ref i, out var port):
                    httpPort = port;
                    break;
                case "--https-port" when TryPort(args, ref i, out var port):
                    httpsPort = port;
                    break;
                case "--feature-level" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var level):
                    behaviour.FeatureLevel = level;
                    i++;
                    break;
                case "--cert-pem" when i + 1 < args.Length:
                    certPath = args[++i];
                    break;
                case "--dev":
                    behaviour.DevelopmentEnvironment = true;
                    break;
                case "--ldap":
                    behaviour.LdapEnabled = true;
                    break;
                case "--old-server":
                    behaviour.OldServer = true;
                    break;
                case "--proxy":
                    startProxy = true;
                    break;
                case "--proxy-credential" when i + 1 < args.Length && args[i + 1].Contains(':'):
                {
                    var parts = args[++i].Split(':', 2);
                    proxyCredential = new NetworkCredential(parts[0], parts[1]);
                    startProxy = true;
                    break;
                }
                case "--ignore-stdin":
                    ignoreStdin = true;
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    Console.WriteLine(DemoCommands.Help);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option: {args[i]}");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        ZulipTestServer server;
        try
        {
            server = await ZulipTestServer.StartAsync(behaviour, httpPort, httpsPort);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Could not start: {e.Message}");
            return 1;
        }

        var proxy = startProxy ? new LoopbackConnectProxy(proxyCredential) : null;
        await using (server)
        await using (proxy)
        {
            if (certPath is not null)
                await File.WriteAllTextAsync(certPath, TestCertificate.Pem);

            Console.WriteLine($"http: {server.HttpUrl}");
            Console.WriteLine($"https: {server.HttpsUrl}");
            if (proxy is not null)
                Console.WriteLine($"proxy: {proxy.Uri.GetLeftPart(UriPartial.Authority)}");
            Console.WriteLine("ready");
            Console.Out.Flush();

            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);

            if (!ignoreStdin)
            {
                // A dedicated thread: Console.In.ReadLine blocks, and must not hold the process open.
                var reader = new Thread(() =>
                {
                    try
                    {
                        string? line;
                        while ((line = Console.In.ReadLine()) is not null && line.Trim() != "stop")
                        {
                            if (line.Trim().Length > 0)
                                Console.WriteLine(DemoCommands.Execute(server, proxy, line));
                        }
                    }
                    catch (IOException)
                    {
                    }

                    stop.TrySetResult();
                }) { IsBackground = true, Name = "stdin watcher" };
                reader.Start();
            }

            await stop.Task;

            void Handle(PosixSignalContext context)
            {
                // Stop cleanly ourselves instead of letting the runtime kill the process.
                context.Cancel = true;
                stop.TrySetResult();
            }
        }

        return 0;
    }

    private static bool TryPort(string[] args, ref int i, out int port)
    {
        port = 0;
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
            return false;
        i++;
        return true;
    }
}
