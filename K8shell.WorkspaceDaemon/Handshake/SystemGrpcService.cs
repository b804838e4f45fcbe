using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.WorkspaceDaemon.Workspace;
using Microsoft.Extensions.Options;

namespace K8shell.WorkspaceDaemon.Handshake;

/// <summary>SystemService: the per-connection handshake and the workspace's health.</summary>
internal sealed class SystemGrpcService(
    IOptions<WorkspaceOptions> options,
    WorkspaceAccount account,
    SystemInfoReader systemInfo,
    IHostApplicationLifetime lifetime,
    ILogger<SystemGrpcService> logger) : SystemService.SystemServiceBase
{
    public static readonly string Version = $"k8shelld/{DaemonVersion.Number}";

    /// <summary>The distribution's own name for itself (os-release), else the kernel's.</summary>
    private static readonly Lazy<string> OperatingSystemName = new(() =>
        File.Exists("/etc/os-release") && File.ReadLines("/etc/os-release").FirstOrDefault(line => line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) is { } line
            ? line["PRETTY_NAME=".Length..].Trim('"')
            : System.Runtime.InteropServices.RuntimeInformation.OSDescription);

    public override Task<HandshakeResponse> Handshake(HandshakeRequest request, ServerCallContext context)
    {
        var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        logger.LogInformation("Handshake from {ClientVersion} for session {SessionId} ({Username} at {ClientIp}){Refused}",
            request.ClientVersion, request.SessionId, request.Username, request.ClientIp, stopping ? ": refused, shutting down" : "");
        return Task.FromResult(new HandshakeResponse
        {
            ServerVersion = Version,
            Accepted = !stopping,
            Message = stopping ? "the workspace is shutting down; try again in a moment" : "",
            Workspace = options.Value.Name,
            WorkspaceUser = account.Name,
            Home = account.Home,
            Shell = account.Shell,
            Hostname = Environment.MachineName,
            Os = OperatingSystemName.Value,
        });
    }

    public override Task<SystemInfoResponse> SystemInfo(SystemInfoRequest request, ServerCallContext context) =>
        Task.FromResult(systemInfo.Read());
}
