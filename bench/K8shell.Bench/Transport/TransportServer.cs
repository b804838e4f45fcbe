using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TcpListener = System.Net.Sockets.TcpListener;

namespace K8shell.Bench.Transport;

/// <summary>
/// The sending end of the transport measure, in a process of its own (as k8shelld is): one stream of
/// <see cref="TransportFrames.Size"/>-byte chunks to each caller, over the three carriers the measure compares.
/// </summary>
internal static class TransportServer
{
    public const string Command = "transport-server";

    /// <summary>Listens on three free loopback ports and writes them, once bound, as one line to standard output.</summary>
    public static async Task RunAsync()
    {
        var builder = LoopbackWebApplication.CreateBuilder();
        builder.Services.AddGrpc();
        ListenOptions? grpc = null;
        ListenOptions? upgrade = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (upgrade = listen).Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.MapGrpcService<ZeroExec>();
        app.MapGet("/", SendUpgradedAsync);
        var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        _ = AcceptTcpAsync(tcp);
        await app.StartAsync();
        Console.WriteLine($"{grpc!.IPEndPoint!.Port} {upgrade!.IPEndPoint!.Port} {((IPEndPoint)tcp.LocalEndpoint).Port}");
        await app.WaitForShutdownAsync();
    }

    /// <summary>gRPC as the proxy and k8shelld use it: an Exec stream of stdout messages over HTTP/2.</summary>
    private sealed class ZeroExec : ProcessService.ProcessServiceBase
    {
        public override async Task Exec(IAsyncStreamReader<ProcessRequest> requests, IServerStreamWriter<ProcessResponse> responses, ServerCallContext context)
        {
            await requests.MoveNext(context.CancellationToken);
            var chunk = UnsafeByteOperations.UnsafeWrap(new byte[TransportFrames.Size]);
            for (var left = TransportFrames.Count(requests.Current.Start.Command); left > 0; left--)
            {
                await responses.WriteAsync(new ProcessResponse { Stdout = chunk }, context.CancellationToken);
            }
        }
    }

    /// <summary>An HTTP/1.1 connection upgraded to a plain byte stream (Kestrel's transport, no HTTP/2 framing).</summary>
    private static async Task SendUpgradedAsync(HttpContext context)
    {
        var count = TransportFrames.Count(context.Request.Query["bytes"].ToString());
        await using var stream = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        await TransportFrames.SendAsync(stream, count, context.RequestAborted);
    }

    /// <summary>A socket of our own: the floor any carrier between two processes pays.</summary>
    private static async Task AcceptTcpAsync(TcpListener listener)
    {
        while (true)
        {
            var socket = await listener.AcceptSocketAsync();
            _ = Task.Run(async () =>
            {
                await using var stream = new NetworkStream(socket, ownsSocket: true);
                using var request = new StreamReader(stream, leaveOpen: true);
                var bytes = await request.ReadLineAsync();
                await TransportFrames.SendAsync(stream, TransportFrames.Count(bytes!), CancellationToken.None);
            });
        }
    }
}
