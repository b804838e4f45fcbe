using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Tests;

/// <summary>Recording frames as the proxy sends them, and a call that sends a list of them.</summary>
internal static class StreamFrames
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A connection ID in the proxy's shape, unique to the test (<c>&lt;proxy&gt;-&lt;pid&gt;-&lt;2 chars&gt;</c>).</summary>
    public static string NewSessionId() => $"t{Guid.NewGuid().ToString("N")[..8]}-{Environment.ProcessId}-ab";

    public static RecordingOrigin Origin(string sessionId, string streamId, string userToken) =>
        new() { SessionId = sessionId, StreamId = streamId, UserToken = userToken, StartedAt = Timestamp.FromDateTimeOffset(Start) };

    public static ShellRecordingFrame ShellHeader(RecordingOrigin origin, uint width = 80, uint height = 24) =>
        new() { Sequence = 0, Header = new ShellRecordingHeader { Origin = origin, Width = width, Height = height, Term = "xterm-256color", Shell = "/bin/bash" } };

    public static ShellRecordingFrame ShellOutput(ulong sequence, ulong milliseconds, byte[] data) =>
        new() { Sequence = sequence, Chunk = Chunk(milliseconds, data, Direction.Output) };

    public static ShellRecordingFrame ShellResize(ulong sequence, ulong milliseconds, uint width, uint height) =>
        new() { Sequence = sequence, Resize = new TerminalResize { TimeOffsetMs = milliseconds, Width = width, Height = height } };

    public static ShellRecordingFrame ShellGap(ulong sequence, ulong milliseconds, ulong droppedBytes) =>
        new() { Sequence = sequence, Gap = new RecordingGap { TimeOffsetMs = milliseconds, DroppedBytes = droppedBytes, DroppedFrames = 1, Reason = "proxy buffer full" } };

    /// <summary>Shell frames 1..n carrying <paramref name="chunks"/> as output, 10 ms apart.</summary>
    public static List<ShellRecordingFrame> ShellOutputs(IEnumerable<byte[]> chunks, ulong first = 1) =>
        [.. chunks.Select((chunk, i) => ShellOutput(first + (ulong)i, 10 * (first + (ulong)i), chunk))];

    public static TcpipRecordingFrame TcpipHeader(RecordingOrigin origin, string sourceHost, uint sourcePort, string destinationHost, uint destinationPort) =>
        new() { Sequence = 0, Header = new TcpipRecordingHeader { Origin = origin, SrcHost = sourceHost, SrcPort = sourcePort, DstHost = destinationHost, DstPort = destinationPort } };

    public static TcpipRecordingFrame TcpipChunk(ulong sequence, ulong milliseconds, byte[] data, Direction direction) =>
        new() { Sequence = sequence, Chunk = Chunk(milliseconds, data, direction) };

    public static DataChunk Chunk(ulong milliseconds, byte[] data, Direction direction) =>
        new() { TimeOffsetMs = milliseconds, Data = ByteString.CopyFrom(data), Direction = direction };

    /// <summary>Sends <paramref name="frames"/> on <paramref name="call"/>, ends it and returns the answer (or throws its status).</summary>
    public static async Task<RecordingAck> SendAsync<TFrame>(AsyncClientStreamingCall<TFrame, RecordingAck> call, IEnumerable<TFrame> frames)
    {
        using (call)
        {
            try
            {
                foreach (var frame in frames)
                {
                    await call.RequestStream.WriteAsync(frame, TestContext.Current.CancellationToken);
                }
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // The server ended the call early; its status says why.
            }
            return await call.ResponseAsync;
        }
    }

    /// <summary>Sends <paramref name="frames"/> without ending the call, waits until Sessions wrote them, then cuts the call as a vanished proxy would.</summary>
    public static async Task SendAndCutAsync<TFrame>(AsyncClientStreamingCall<TFrame, RecordingAck> call, IEnumerable<TFrame> frames, Func<Task<bool>> written)
    {
        using (call)
        {
            foreach (var frame in frames)
            {
                await call.RequestStream.WriteAsync(frame, TestContext.Current.CancellationToken);
            }
            Assert.True(await K8shell.Testing.Eventually.WaitAsync(written, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken),
                "Sessions never had the frames sent before the cut");
        }
    }
}
