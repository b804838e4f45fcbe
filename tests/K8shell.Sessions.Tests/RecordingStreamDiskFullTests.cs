using System.Text;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>
/// Sessions' recordings on a real tmpfs that fills up: the call is told ResourceExhausted, the file stays readable
/// up to its last complete event, and once there is room the stream resumes with nothing lost or doubled.
/// </summary>
public sealed class RecordingStreamDiskFullTests(RecordingStreamsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_disk_fails_the_call_with_ResourceExhausted_and_leaves_a_readable_file_that_resumes_when_there_is_room()
    {
        using var scratch = new ScratchFolder();
        await using var disk = await SmallDisk.MountAsync(SmallDisk.ThreeBuffers, Cancel);
        // The catalog stays on the roomy disk; only the recordings fill up.
        Directory.CreateSymbolicLink(Path.Combine(scratch.Path, "recordings"), disk.Path);
        await using var sessions = await fixture.StartSessionsAsync(scratch.Path);
        var client = fixture.Recordings(sessions);
        var random = new Random(Seeds.Seed);
        var output = CastWriterTests.TerminalBytes(random, 1_000_000);
        var session = NewSessionId();
        var header = ShellHeader(Origin(session, $"sh-{session}1", await fixture.UserTokenAsync("alice")));
        var frames = ShellOutputs(Seeds.RandomChunks(random, output, 3_000));
        var path = Path.Combine(disk.Path, "alice", "shell", $"sh-{session}1.cast");

        var full = await Assert.ThrowsAsync<RpcException>(() => SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [header, .. frames]));

        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Equal($"the disk holding the recordings is full: stream sh-{session}1 is kept up to its last saved sequence (GetRecordingState); resume it when there is room",
            full.Status.Detail);
        var cut = await Programs.AsciinemaCatAsync(disk.CopyOut(path, scratch), Cancel);
        Assert.True(cut.ExitCode == 0, $"asciinema cat failed on the recording the full disk cut: {cut.Errors}");
        Assert.InRange(cut.Output.Length, 100_000, SmallDisk.ThreeBuffers * 1024);
        Assert.StartsWith(cut.Text, Encoding.UTF8.GetString(output), StringComparison.Ordinal);

        await disk.GrowAsync(16 * 1024, Cancel);
        var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = $"sh-{session}1" }, cancellationToken: Cancel);
        var ack = await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [header, .. frames[(int)state.LastSequence..]]);

        Assert.Equal((ulong)frames.Count, ack.LastSequence);
        var whole = await Programs.AsciinemaCatAsync(path, Cancel);
        Assert.True(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(output)).AsSpan().SequenceEqual(whole.Output),
            $"seed {Seeds.Seed}: the resumed recording is not the output sent, once");
    }
}
