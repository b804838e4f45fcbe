using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// A PTY shell the policy says to record (its <c>record</c> obligation) is streamed to Sessions and replays with
/// Debian's asciinema.
/// </summary>
public sealed class RecordingTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_recorded_pty_shell_replays_with_asciinema_cat()
    {
        var marker = $"recorded-{Guid.NewGuid():N}";
        await using (var terminal = await TmuxTerminal.StartAsync([.. _gateway.Options(), _gateway.Destination()], Cancellation))
        {
            await terminal.TypeCommandAsync($"echo {marker}", Cancellation);
            await terminal.WaitForLineAsync(marker, Cancellation);
            await terminal.TypeCommandAsync("exit", Cancellation);
            Assert.Equal(0, await terminal.ExitStatusAsync(Cancellation));
        }

        var recording = await SessionRecordings.CastShowingAsync(stack, marker, TimeSpan.FromSeconds(20));

        var replayed = System.Text.Encoding.UTF8.GetString(await Asciinema.CatAsync(recording, Cancellation));
        Assert.Contains($"echo {marker}", replayed);
        Assert.Contains($"\n{marker}", replayed.ReplaceLineEndings("\n"));
    }
}
