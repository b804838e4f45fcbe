namespace K8shell.EndToEnd.Tests;

/// <summary>Identity down: nobody new gets in, and is told why; whoever is in stays in.</summary>
public sealed partial class FaultStackTests
{
    [Fact]
    public async Task Identity_down_new_logins_are_told_to_try_again_and_open_sessions_go_on()
    {
        using var open = _gateway.StartPiped("cat");
        try
        {
            Assert.Equal("before the outage", await open.EchoAsync("before the outage"));

            await using var failures = await FailureEvents.SubscribeAsync(stack, Cancellation);
            await using (var outage = await OutageOfAsync("identity"))
            {
                var (exitCode, output, errors) = await _gateway.SshAsync("echo logged-in");
                Assert.True(exitCode == 255, $"a login without Identity exited {exitCode}: {output} {errors}");
                // A disconnect message, which ssh prints at any LogLevel (this client runs with ERROR): not "Permission denied".
                Assert.Matches(@"^Received disconnect from 127\.0\.0\.1 port \d+:11: authentication service unavailable, try again\r?\n", errors);
                Assert.DoesNotContain("Permission denied", errors);
                await Task.Delay(TimeSpan.FromSeconds(1), Cancellation); // an event would be out by now (NATS is up)
                Assert.Empty(failures.ArrivedAbout(stack.User)); // our outage, not a failed login: Shield must not ban whoever retries

                Assert.Equal("during the outage", await open.EchoAsync("during the outage"));
                await outage.EndAsync();
            }

            var (again, againOutput, againErrors) = await _gateway.SshAsync("echo logged-in");
            Assert.True(again == 0, $"the first login after Identity came back exited {again}: {againErrors}");
            Assert.Equal("logged-in\n", againOutput);
            Assert.Equal("after the outage", await open.EchoAsync("after the outage"));

            open.StandardInput.Close(); // cat ends at EOF, and so does the session, normally
            var (openExit, openErrors) = await open.EndedAsync(TimeSpan.FromSeconds(20));
            Assert.True(openExit == 0, $"the session opened before the outage exited {openExit}: {openErrors}");
        }
        finally
        {
            open.KillIfRunning();
        }
    }
}
