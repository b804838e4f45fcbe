using K8shell.Contracts.Sessions.V1;

namespace K8shell.SshProxy.Recording;

/// <summary>
/// What the four frame messages of sessions.proto share (the same fields), so one <see cref="RecordingWire{TFrame}"/>
/// numbers and fills them all (the messages take these in <c>RecordingFrameKinds.cs</c>).
/// </summary>
internal interface IRecordingFrame
{
    ulong Sequence { set; }

    DataChunk Chunk { set; }

    RecordingGap Gap { set; }
}

/// <summary>The frames of shell and exec recordings, which carry terminal resizes too.</summary>
internal interface ITerminalRecordingFrame : IRecordingFrame
{
    TerminalResize Resize { set; }
}
