using System.Net;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Recording;
using ClientPty = K8shell.Ssh.Connection.PtyRequest;
using WorkspacePty = K8shell.Contracts.Workspace.V1.PtyRequest;

namespace K8shell.SshProxy.Channels;

/// <summary>What a session's requests set up before its program starts: terminal, environment, agent.</summary>
internal sealed class SessionSetup
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public ClientPty? Pty { get; set; }

    public bool AgentRequested { get; set; }

    /// <summary>window-change before the program started: the terminal it starts on has that size.</summary>
    public void Resize(WindowChangeRequest size)
    {
        if (Pty is not null)
        {
            Pty = Pty with { Columns = size.Columns, Rows = size.Rows, WidthPixels = size.WidthPixels, HeightPixels = size.HeightPixels };
        }
    }

    public void SetVariable(string name, string value) => _environment[name] = value;

    /// <summary>
    /// The start message; <paramref name="onTerminal"/> false keeps a requested PTY away from sftp, which must not get one.
    /// The program learns where the connection comes from as under sshd (SSH_CLIENT, SSH_CONNECTION), whatever the client sent.
    /// </summary>
    public ProcessStart Start(string sessionId, string streamId, string? asUser, string? command, bool onTerminal, bool agentForwarding, bool showSplash,
        IPEndPoint client, IPEndPoint server)
    {
        var start = new ProcessStart
        {
            SessionId = sessionId,
            StreamId = streamId,
            AsUser = asUser ?? "",
            Command = command ?? "",
            AgentForwarding = agentForwarding,
            ShowSplash = showSplash,
            Env = { _environment },
        };
        var (clientAddress, serverAddress) = (Plain(client.Address), Plain(server.Address));
        start.Env["SSH_CLIENT"] = $"{clientAddress} {client.Port} {server.Port}";
        start.Env["SSH_CONNECTION"] = $"{clientAddress} {client.Port} {serverAddress} {server.Port}";
        if (Pty is { } pty && onTerminal)
        {
            start.Pty = new WorkspacePty
            {
                Term = pty.Term,
                Columns = pty.Columns,
                Rows = pty.Rows,
                WidthPixels = pty.WidthPixels,
                HeightPixels = pty.HeightPixels,
                TerminalModes = Google.Protobuf.ByteString.CopyFrom(pty.TerminalModes),
            };
        }
        return start;
    }

    public RecordingRequest Recording(RecordingKind kind, string streamId, string? obligation, string shell, string? command) =>
        new(kind, streamId, obligation)
        {
            Term = Pty?.Term,
            Columns = Pty?.Columns ?? 0,
            Rows = Pty?.Rows ?? 0,
            Pty = Pty is not null && kind != RecordingKind.Sftp,
            Shell = shell,
            Command = command,
        };

    /// <summary>An IPv4 client of the dual-stack listener as sshd writes it (127.0.0.1, not ::ffff:127.0.0.1).</summary>
    private static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public static WindowSize Size(WindowChangeRequest size) =>
        new() { Columns = size.Columns, Rows = size.Rows, WidthPixels = size.WidthPixels, HeightPixels = size.HeightPixels };
}
