using K8shell.SshProxy.Recording;

namespace K8shell.Contracts.Sessions.V1;

// The generated frame messages of sessions.proto, as the shared shapes the recording wire fills.
internal sealed partial class ShellRecordingFrame : ITerminalRecordingFrame;

internal sealed partial class ExecRecordingFrame : ITerminalRecordingFrame;

internal sealed partial class TcpipRecordingFrame : IRecordingFrame;

internal sealed partial class SftpRecordingFrame : IRecordingFrame;
