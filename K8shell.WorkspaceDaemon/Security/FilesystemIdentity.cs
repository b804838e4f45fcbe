using K8shell.WorkspaceDaemon.Processes.Native;
using K8shell.WorkspaceDaemon.Workspace;

namespace K8shell.WorkspaceDaemon.Security;

/// <summary>
/// Runs a file-system operation (a Unix socket's connect or bind) as the workspace user would: on a
/// thread of its own whose file-system ids and groups are the user's, so the kernel checks access for
/// them, and root's capabilities to override file permissions are gone on that thread (they go with
/// a non-zero fsuid). The thread ends with the operation, so the daemon's other threads never carry
/// the user's identity. When the daemon runs as the user already, the operation just runs.
/// </summary>
internal sealed class FilesystemIdentity(WorkspaceAccount account)
{
    public Task<T> RunAsync<T>(Func<T> operation)
    {
        if (!account.SwitchFromRoot)
        {
            return Task.FromResult(operation());
        }
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                BecomeUser();
                result.SetResult(operation());
            }
            catch (Exception failure)
            {
                result.SetException(failure);
            }
        }) { IsBackground = true, Name = $"k8shelld as {account.Name}" }.Start();
        return result.Task;
    }

    private unsafe void BecomeUser()
    {
        var count = 64;
        var groups = stackalloc uint[count];
        if (LibC.getgrouplist(account.Name, account.Gid, groups, ref count) < 0)
        {
            count = 1;
            groups[0] = account.Gid; // more than 64 groups: the primary one only, never more than the user has
        }
        if (LibC.syscall(LibC.SysSetgroups, count, groups) != 0)
        {
            throw new IOException($"setgroups: {LibC.LastErrorText()}");
        }
        LibC.setfsgid(account.Gid);
        LibC.setfsuid(account.Uid);
        // Both calls return the previous id and never fail visibly: asking again tells whether they took.
        if (LibC.setfsuid(account.Uid) != account.Uid || LibC.setfsgid(account.Gid) != account.Gid)
        {
            throw new IOException($"could not take the file-system identity of {account.Name}");
        }
    }
}
