using System.Net.Sockets;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// A connected pair of Unix stream sockets, as sshd uses for a session's stdio without a terminal:
/// our end is a real async socket (no thread blocked per read) that can half-close (EOF).
/// </summary>
internal static class SocketPair
{
    /// <summary>Returns our end as a socket and the child's end as a descriptor (close-on-exec; dup2 in the child clears that).</summary>
    public static unsafe (Socket Ours, int Theirs) Create()
    {
        var pair = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, pair) != 0)
        {
            throw new IOException($"socketpair: {LibC.LastErrorText()}");
        }
        return (new Socket(new SafeSocketHandle(pair[0], ownsHandle: true)), pair[1]);
    }
}
