using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.Bench.Transport;

/// <summary>
/// The proxy ⇄ k8shelld hop alone, without SSH, a command or a client competing for the CPU: one process streams
/// 32 KiB chunks to this one, over gRPC (HTTP/2, as today), an HTTP/1.1 connection upgraded to a byte stream, and a
/// plain TCP socket. Speed and CPU per GiB on both ends say what each carrier costs the data path.
/// </summary>
internal sealed class TransportBenchmark(int runs, int mebibytes)
{
    private long Bytes => (long)mebibytes << 20;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var server = Process.Start(new ProcessStartInfo("dotnet", [typeof(TransportBenchmark).Assembly.Location, TransportServer.Command])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            var ports = await ListeningPortsAsync(server, cancellationToken);
            using var grpc = GrpcChannel.ForAddress($"http://127.0.0.1:{ports[0]}");
            using var http = new HttpClient();
            (string Name, Func<Task> Move)[] carriers =
            [
                ("gRPC over HTTP/2 (today)", () => ViaGrpcAsync(grpc, cancellationToken)),
                ("HTTP/1.1 upgraded to a stream", () => ViaUpgradeAsync(http, ports[1], cancellationToken)),
                ("plain TCP", () => ViaTcpAsync(ports[2], cancellationToken)),
            ];
            Report.Out.WriteLine();
            Report.Out.WriteLine($"the proxy ⇄ k8shelld hop alone: {mebibytes} MiB in 32 KiB chunks from another process, {runs} runs (medians)");
            Report.Out.WriteLine($"{"carrier",-32} {"speed",-12} CPU per GiB: sender, receiver, both");
            foreach (var (name, move) in carriers)
            {
                await move(); // warm-up: connections and JIT
                var samples = new List<(double Speed, double Sender, double Receiver)>();
                for (var run = 0; run < runs; run++)
                {
                    samples.Add(await MeasureAsync(server.Id, move));
                }
                double Median(Func<(double Speed, double Sender, double Receiver), double> of) => samples.Select(of).Order().ElementAt(samples.Count / 2);
                var (sender, receiver) = (Median(s => s.Sender), Median(s => s.Receiver));
                Report.Out.WriteLine($"{name,-32} {Median(s => s.Speed),6:F0} MiB/s  {sender:F2} s, {receiver:F2} s, {sender + receiver:F2} s");
            }
        }
        finally
        {
            server.Kill();
        }
    }

    /// <summary>The sender binds port 0 and writes where, once it listens: no port picked beforehand that another process could take.</summary>
    private static async Task<int[]> ListeningPortsAsync(Process server, CancellationToken cancellationToken)
    {
        try
        {
            var line = await server.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return line?.Split(' ').Select(int.Parse).ToArray() ?? throw new InvalidOperationException("the transport measure's sender ended before it listened");
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("the transport measure's sender did not listen within 10 s");
        }
    }

    private async Task<(double Speed, double Sender, double Receiver)> MeasureAsync(int server, Func<Task> move)
    {
        var senderBefore = ProcessStats.CpuTime(server);
        var receiverBefore = ProcessStats.CpuTime(Environment.ProcessId);
        var stopwatch = Stopwatch.StartNew();
        await move();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var gibibytes = mebibytes / 1024.0;
        return (mebibytes / seconds, (ProcessStats.CpuTime(server) - senderBefore).TotalSeconds / gibibytes,
            (ProcessStats.CpuTime(Environment.ProcessId) - receiverBefore).TotalSeconds / gibibytes);
    }

    private async Task ViaGrpcAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        using var call = new ProcessService.ProcessServiceClient(channel).Exec(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ProcessRequest { Start = new ProcessStart { Command = Bytes.ToString() } }, cancellationToken);
        long received = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            received += response.Stdout.Length;
        }
        if (received != Bytes)
        {
            throw new InvalidOperationException($"gRPC moved {received} bytes of {Bytes}");
        }
    }

    private async Task ViaUpgradeAsync(HttpClient http, int port, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/?bytes={Bytes}");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new("k8shell-bench"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            throw new InvalidOperationException($"the upgrade was answered {response.StatusCode}");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await TransportFrames.ReceiveAsync(stream, Bytes, cancellationToken);
    }

    private async Task ViaTcpAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{Bytes}\n"), cancellationToken);
        // Read as HttpClient reads its connections: through a buffer, not a system call per prefix.
        await TransportFrames.ReceiveAsync(new BufferedStream(stream, 64 * 1024), Bytes, cancellationToken);
    }
}
