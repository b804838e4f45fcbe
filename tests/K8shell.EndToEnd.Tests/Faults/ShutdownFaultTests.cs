using System.Diagnostics;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The gateway gets SIGTERM (a rolling update, a node drain): it stops accepting at once, lets open sessions go on for
/// its shutdown grace, and then closes what is left with a disconnect message the client prints.
/// </summary>
public sealed partial class FaultStackTests
{
    [Fact]
    public async Task Proxy_SIGTERM_refuses_new_connections_drains_open_sessions_and_then_disconnects_them_with_a_message()
    {
        using var ticking = _gateway.StartPiped("i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done");
        using var finishing = _gateway.StartPiped($"echo started; sleep {FaultStack.ShutdownGrace.TotalSeconds / 2}; echo finished; exit 7");
        Task? stopping = null;
        try
        {
            Assert.Equal("tick 1", await ticking.NextLineAsync());
            Assert.Equal("started", await finishing.NextLineAsync());

            var sinceTerm = Stopwatch.StartNew();
            stopping = stack.App.StopResourceAsync("ssh-proxy"); // SIGTERM is sent before this returns; the stop waits for the exit

            Assert.True(await Eventually.WaitAsync(async () => !await FreePort.AcceptsConnectionsAsync(stack.SshPort, Cancellation), TimeSpan.FromSeconds(5), Cancellation),
                "the gateway still accepts connections after SIGTERM");
            var (refused, _, refusedErrors) = await _gateway.SshAsync("true");
            Assert.Equal(255, refused);
            Assert.Contains("Connection refused", refusedErrors);

            // The open sessions go on: output still arrives, and one that ends within the grace ends as it would have.
            var tick = await ticking.NextLineAsync(TimeSpan.FromSeconds(5));
            Assert.StartsWith("tick ", tick);
            Assert.Equal("finished", await finishing.NextLineAsync(FaultStack.ShutdownGrace));
            var (finished, finishedErrors) = await finishing.EndedAsync(FaultStack.ShutdownGrace);
            Assert.True(finished == 7, $"the session that ended within the grace exited {finished}: {finishedErrors}");

            // Then the grace is over: what is still open is closed with a message, not cut.
            var (cut, cutErrors) = await ticking.EndedAsync(FaultStack.ShutdownGrace + TimeSpan.FromSeconds(10));
            var lasted = sinceTerm.Elapsed;
            Assert.Equal(255, cut);
            Assert.Matches(@"^Received disconnect from 127\.0\.0\.1 port \d+:11: the gateway is shutting down; connect again in a moment\r?\n", cutErrors);
            Assert.True(lasted >= FaultStack.ShutdownGrace - TimeSpan.FromSeconds(1), $"the open session was closed {lasted} after SIGTERM, before the grace of {FaultStack.ShutdownGrace}");
            await stopping.WaitAsync(TimeSpan.FromSeconds(20), Cancellation); // the gateway exits once its sessions are gone
        }
        finally
        {
            ticking.KillIfRunning();
            finishing.KillIfRunning();
            if (stopping is not null)
            {
                await stopping;
                await stack.App.StartResourceAsync("ssh-proxy", Cancellation);
            }
        }
    }
}
