using System.Diagnostics;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>
/// k8shelld as a pod runs it: PID 1 of its own PID namespace (unshare, as root), where every orphan
/// of the workspace becomes its child. It must reap them without losing its own children's exact
/// statuses, and on SIGTERM stop its sessions and exit cleanly.
/// </summary>
public sealed class Pid1Tests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task As_pid_1_it_reaps_orphans_keeps_exact_statuses_and_forwards_sigterm()
    {
        Assert.True(Environment.UserName == "root", "a PID namespace needs root, as the pod's daemon has");
        await using var unshare = await daemon.StartDaemonAsync(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]);
        var daemonPid = ChildrenOf(unshare.Process.Id).Single();
        using var channel = daemon.ChannelTo(unshare);
        var processes = new ProcessService.ProcessServiceClient(channel);

        // An orphan: the subshell's sleep outlives its parent and is handed to PID 1.
        await using (var orphaning = await ProcessRun.ExecAsync(processes,
            new ProcessStart { Command = "(sleep 0.2 &); tr '\\0' ' ' < /proc/1/cmdline; exit 7" }))
        {
            Assert.Equal(7u, (await orphaning.WaitForExitAsync(Cancellation)).ExitStatus);
            Assert.Contains("k8shelld.dll", orphaning.Stdout); // PID 1 of the session's namespace is the daemon
        }
        await Eventually.WaitAsync(() => ChildrenOf(daemonPid).Length == 0, TimeSpan.FromSeconds(10), Cancellation);
        Assert.Empty(ChildrenOf(daemonPid).Select(pid => $"{pid}: {File.ReadAllText($"/proc/{pid}/stat")}"));

        // SIGTERM to the daemon: its sessions get SIGTERM, report how they ended, and it exits 0.
        var marker = Path.Combine(daemon.Home, $"term-{Guid.NewGuid():N}");
        await using var session = await ProcessRun.ExecAsync(processes,
            new ProcessStart { Command = $"trap 'echo terminated > {marker}; exit 0' TERM; echo ready; sleep 60 & wait" });
        await session.WaitForOutputAsync("ready", Cancellation);
        using (var process = Process.GetProcessById(daemonPid))
        {
            Signals.Send(process, Signals.SigTerm);
        }

        Assert.Equal(0u, (await session.WaitForExitAsync(Cancellation)).ExitStatus);
        Assert.Equal("terminated\n", await File.ReadAllTextAsync(marker, Cancellation));
        Assert.Equal(0, await unshare.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task As_root_in_an_image_without_the_user_it_creates_the_account_and_its_home()
    {
        Assert.True(Environment.UserName == "root", "creating accounts needs root, as the pod's daemon has");
        // The daemon gets passwd and group files of its own in a mount namespace of its own: the machine's stay untouched.
        // They are written here rather than copied from the machine's, whose accounts other tests add and delete meanwhile
        // (AsUserTests) and where an earlier broken run may have left an account; the name is new for the same reason.
        // They reach /etc through an overlay on the whole directory, not bind mounts on the two files: useradd and userdel
        // replace /etc/passwd by a rename, and the kernel drops every other namespace's mount on a file renamed over, so
        // the daemon's processes would meet the machine's passwd again (seen in CI: `id` printing uid=4321 without a name).
        // The daemon runs under the strictest umask: what it creates for the user must not depend on the one it inherits.
        var user = $"k8sh-{Guid.NewGuid():N}"[..16];
        var scratch = Directory.CreateTempSubdirectory("k8shelld-accounts-").FullName;
        File.SetUnixFileMode(scratch, (UnixFileMode)0b111_101_101); // like /home: the user must be able to reach their home
        try
        {
            var (etc, overlayWork) = (Path.Combine(scratch, "etc"), Path.Combine(scratch, "overlay-work"));
            Directory.CreateDirectory(overlayWork);
            Directory.CreateDirectory(etc);
            File.SetUnixFileMode(etc, (UnixFileMode)0b111_101_101); // the overlay's /etc takes this directory's mode
            var (passwd, group, home) = (Path.Combine(etc, "passwd"), Path.Combine(etc, "group"), Path.Combine(scratch, "home", user));
            // Neither ends with a newline, as some images' files do: the daemon must still put its lines on their own.
            File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");
            File.WriteAllText(group, $"root:x:0:\nnogroup:x:65534:\nk8sh-extra:x:4323:someone,{user}"); // a supplementary group the login must get
            foreach (var file in new[] { passwd, group })
            {
                File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100); // as in an image, whatever this process's umask
            }
            await using var daemonInImage = await daemon.StartDaemonAsync(
                ["unshare", "--mount", "--pid", "--fork", "--mount-proc", "--kill-child", "sh", "-c",
                 $"umask 077 && mount -t overlay overlay -o lowerdir=/etc,upperdir={etc},workdir={overlayWork} /etc && exec \"$@\"", "sh"],
                new() { ["Workspace__User"] = user, ["Workspace__Uid"] = "4321", ["Workspace__Gid"] = "4322", ["Workspace__Home"] = home });
            using var channel = daemon.ChannelTo(daemonInImage);

            await using var run = await ProcessRun.ExecAsync(new ProcessService.ProcessServiceClient(channel),
                new ProcessStart { Command = "id; stat -c '%U:%G' \"$HOME\"" });

            var files = $"the daemon's passwd:\n{await File.ReadAllTextAsync(passwd, Cancellation)}\nits group:\n{await File.ReadAllTextAsync(group, Cancellation)}";
            Assert.True((await run.WaitForExitAsync(Cancellation)).ExitStatus == 0, $"{run.Stderr}\n{files}");
            Assert.True($"uid=4321({user}) gid=4322({user}) groups=4322({user}),4323(k8sh-extra)\n{user}:{user}\n" == run.Stdout, $"{run.Stdout}\n{files}");
            Assert.EndsWith($"/usr/sbin/nologin\n{user}:x:4321:4322:{user}:{home}:/bin/bash\n", await File.ReadAllTextAsync(passwd, Cancellation));
            Assert.EndsWith($"\nk8sh-extra:x:4323:someone,{user}\n{user}:x:4322:\n", await File.ReadAllTextAsync(group, Cancellation));
            Assert.DoesNotContain(user, await File.ReadAllTextAsync("/etc/passwd", Cancellation));
            Assert.DoesNotContain(user, await File.ReadAllTextAsync("/etc/group", Cancellation));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Child pids (the host's view) from /proc/PID/task/*/children.</summary>
    private static int[] ChildrenOf(int pid) =>
        [.. Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)];
}
