using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// Where the temporary zulip: handler delivers the redirect: a listener on 127.0.0.1 that takes one line of
    /// "&lt;token&gt; &lt;url&gt;" per connection, bounded in size and time, and keeps the first URL whose token matches.
    /// Connections with another token are dropped, so another local program cannot inject a redirect without the
    /// token, which only the handler this process wrote knows.
    /// </summary>
    internal sealed class LoopbackReceiver : IDisposable
    {
        private const int MaxLine = LoginRedirect.MaxLength + 128;

        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly ManualResetEventSlim received = new ManualResetEventSlim(false);
        private string? url;

        private LoopbackReceiver(string token)
        {
            Token = token;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _ = AcceptLoopAsync();
        }

        public int Port { get; }

        public string Token { get; }

        public WaitHandle Received => received.WaitHandle;

        /// <summary>The URL delivered with the right token, or null so far.</summary>
        public string? Url => Volatile.Read(ref url);

        public static LoopbackReceiver Start() => new LoopbackReceiver(Hex.Encode(OneTimeSecret.NewBytes()));

        private async Task AcceptLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectDisposedException || e is SocketException || e is InvalidOperationException)
                {
                    return;
                }

                _ = ReadOneAsync(client);
            }
        }

        private async Task ReadOneAsync(TcpClient client)
        {
            using (client)
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                try
                {
                    using var registration = timeout.Token.Register(client.Close);
                    var stream = client.GetStream();
                    var buffer = new byte[MaxLine];
                    var total = 0;
                    while (total < buffer.Length)
                    {
                        var read = await stream.ReadAsync(buffer, total, buffer.Length - total, timeout.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        total += read;
                        if (Array.IndexOf(buffer, (byte)'\n', 0, total) >= 0)
                        {
                            break;
                        }
                    }

                    var line = Encoding.UTF8.GetString(buffer, 0, total);
                    var end = line.IndexOf('\n');
                    line = (end >= 0 ? line.Substring(0, end) : line).TrimEnd('\r');
                    var space = line.IndexOf(' ');
                    if (space <= 0 || !FixedTimeEquals(line.Substring(0, space), Token))
                    {
                        return;
                    }

                    if (Interlocked.CompareExchange(ref url, line.Substring(space + 1).Trim(), null) == null)
                    {
                        received.Set();
                    }
                }
                catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
                {
                    // A dropped or stalled connection delivers nothing.
                }
            }
        }

        private static bool FixedTimeEquals(string a, string b)
        {
            var diff = a.Length ^ b.Length;
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                diff |= a[i] ^ b[i];
            }

            return diff == 0;
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            stop.Dispose();
            received.Dispose();
        }
    }
}
