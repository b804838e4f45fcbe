using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>What a header says about its stream, whatever its kind: the origin, and the terminal or the forward.</summary>
internal sealed record StreamHeader(string Kind, string SessionId, string StreamId, string UserToken, DateTimeOffset StartedAt)
{
    /// <summary>Shell and exec: the asciinema header (its start is <see cref="StartedAt"/>).</summary>
    public CastHeader? Terminal { get; init; }

    /// <summary>Port forwards and SFTP: who talks to whom in the capture.</summary>
    public ForwardEndpoints? Forward { get; init; }
}

/// <summary>The two ends of a forwarded channel, as the capture shows them.</summary>
internal sealed record ForwardEndpoints(string ClientHost, int ClientPort, string DestinationHost, int DestinationPort);

/// <summary>One frame of a recording call, whatever its kind: a header, or a chunk, resize or gap.</summary>
internal readonly record struct IncomingFrame(ulong Sequence, StreamHeader? Header = null, DataChunk? Chunk = null, TerminalResize? Resize = null, RecordingGap? Gap = null);

/// <summary>
/// Reads the four kinds of recording frame into <see cref="IncomingFrame"/>, checking what the writers cannot:
/// a header names its session and stream and when it started; sizes and ports are in range. Bad values are
/// InvalidArgument naming the field.
/// </summary>
internal static class RecordingFrames
{
    /// <summary>What an exec without a terminal is shown in.</summary>
    private const int DefaultWidth = 80;
    private const int DefaultHeight = 24;

    // Longer IDs could not name a file (255 bytes, escaped); real ones are a few dozen characters.
    private const int MaxIdLength = 200;

    /// <summary>Offsets are milliseconds since the start; a century is more than any session lasts.</summary>
    private const ulong MaxOffsetMilliseconds = 100UL * 366 * 24 * 3600 * 1000;

    // Classic PCAP keeps seconds in 32 bits, which end in 2106.
    private static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Where the SFTP channels of a connection appear to go: the workspace's SFTP server.</summary>
    public static readonly ForwardEndpoints SftpEndpoints = new("client", 0, "sftp-server", 22);

    // A oneof's other cases read as null, so a body frame is its chunk, resize and gap as they are.
    public static IncomingFrame Read(ShellRecordingFrame frame) => frame.FrameCase == ShellRecordingFrame.FrameOneofCase.Header
        ? new(frame.Sequence, Header: Origin(RecordingDirectory.Shell, frame.Header.Origin) with
        {
            Terminal = Terminal(frame.Header.Origin, Side(frame.Header.Width), Side(frame.Header.Height)) with
            {
                Term = frame.Header.Term,
                Shell = frame.Header.Shell,
                Title = frame.Header.Title,
                RecordInput = frame.Header.RecordInput,
            },
        })
        : new(frame.Sequence, Chunk: frame.Chunk, Resize: frame.Resize, Gap: frame.Gap);

    public static IncomingFrame Read(ExecRecordingFrame frame) => frame.FrameCase == ExecRecordingFrame.FrameOneofCase.Header
        ? new(frame.Sequence, Header: Origin(RecordingDirectory.Exec, frame.Header.Origin) with
        {
            // Without a terminal (or its size) the output is still shown in one, of the usual size.
            Terminal = (frame.Header.Pty && frame.Header.Width > 0 && frame.Header.Height > 0
                ? Terminal(frame.Header.Origin, Side(frame.Header.Width), Side(frame.Header.Height))
                : Terminal(frame.Header.Origin, DefaultWidth, DefaultHeight)) with
            {
                Term = frame.Header.Term,
                Command = frame.Header.Command,
                RecordInput = frame.Header.RecordInput,
            },
        })
        : new(frame.Sequence, Chunk: frame.Chunk, Resize: frame.Resize, Gap: frame.Gap);

    public static IncomingFrame Read(TcpipRecordingFrame frame) => frame.FrameCase == TcpipRecordingFrame.FrameOneofCase.Header
        ? new(frame.Sequence, Header: Origin(RecordingDirectory.Tcpip, frame.Header.Origin) with
        {
            Forward = new ForwardEndpoints(
                frame.Header.SrcHost is { Length: > 0 } source ? source : SftpEndpoints.ClientHost,
                Port(frame.Header.SrcPort, "src_port"),
                frame.Header.DstHost is { Length: > 0 } destination ? destination : throw Invalid("the header's dst_host is empty"),
                Port(frame.Header.DstPort, "dst_port")),
        })
        : new(frame.Sequence, Chunk: frame.Chunk, Gap: frame.Gap);

    public static IncomingFrame Read(SftpRecordingFrame frame) => frame.FrameCase == SftpRecordingFrame.FrameOneofCase.Header
        ? new(frame.Sequence, Header: Origin(RecordingDirectory.Sftp, frame.Header.Origin) with { Forward = SftpEndpoints })
        : new(frame.Sequence, Chunk: frame.Chunk, Gap: frame.Gap);

    /// <summary>A frame's time offset; InvalidArgument beyond a century.</summary>
    public static TimeSpan Offset(ulong milliseconds) => milliseconds <= MaxOffsetMilliseconds
        ? TimeSpan.FromMilliseconds((long)milliseconds)
        : throw Invalid($"the time offset {milliseconds} ms is more than a century");

    /// <summary>A chunk's direction; InvalidArgument for a value sessions.proto does not define.</summary>
    public static Direction DirectionOf(DataChunk chunk) => chunk.Direction is Direction.Output or Direction.Input
        ? chunk.Direction
        : throw Invalid($"the direction {(int)chunk.Direction} is neither OUTPUT (0) nor INPUT (1)");

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static StreamHeader Origin(string kind, RecordingOrigin? origin)
    {
        if (origin is null)
        {
            throw Invalid("the header has no origin");
        }
        var startedAt = origin.StartedAt is { } started
            ? UnixTimes.CheckedTime(started, "the header's origin.started_at")
            : throw Invalid("the header's origin.started_at is not set");
        if (startedAt < Earliest || startedAt >= Latest)
        {
            throw Invalid($"the header's origin.started_at {startedAt:u} is not between 1970 and 2100");
        }
        return new StreamHeader(kind, Id(origin.SessionId, "session_id"), Id(origin.StreamId, "stream_id"), origin.UserToken, startedAt);
    }

    private static CastHeader Terminal(RecordingOrigin origin, int width, int height)
    {
        if (width is < 1 or > CastHeader.MaxSide || height is < 1 or > CastHeader.MaxSide)
        {
            throw Invalid($"the terminal size {width}x{height} is out of range (1 to {CastHeader.MaxSide} on each side)");
        }
        return new CastHeader(width, height, UnixTimes.CheckedTime(origin.StartedAt, "the header's origin.started_at"));
    }

    private static string Id(string value, string field) => value switch
    {
        { Length: 0 } => throw Invalid($"the header's origin.{field} is empty"),
        { Length: > MaxIdLength } => throw Invalid($"the header's origin.{field} is longer than {MaxIdLength} characters"),
        _ when value.Any(char.IsControl) => throw Invalid($"the header's origin.{field} holds control characters"),
        _ => value,
    };

    private static int Side(uint side) => (int)Math.Min(side, int.MaxValue);

    private static int Port(uint port, string field) => port <= ushort.MaxValue ? (int)port : throw Invalid($"the header's {field} {port} is not a TCP port");
}
