using System.Runtime.InteropServices;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// The few libc calls a workspace daemon needs and .NET does not expose: pseudo-terminals,
/// posix_spawn with a new session, waitpid with the raw status, signals to process groups.
/// Linux x86-64/arm64 with glibc. Calls on descriptors that other threads may close take the
/// SafeHandle, not its number: the marshaller holds a reference for the call, so a number closed
/// and reused by another session's terminal or socket is never read, written or resized by mistake.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";

    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int SOL_SOCKET = 1;
    public const int SO_PEERCRED = 17;
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_TYPE = 0x1;

    public const int O_RDWR = 2;
    public const int O_NOCTTY = 0x100;
    public const int O_CLOEXEC = 0x80000;
    public const uint TIOCSWINSZ = 0x5414;
    public const int TCSANOW = 0;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Upper bounds of glibc's opaque types (80, 336 and 128 bytes on x86-64), rounded up.</summary>
    public const int FileActionsSize = 256;
    public const int SpawnAttributesSize = 512;
    public const int SignalSetSize = 128;

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort WidthPixels;
        public ushort HeightPixels;
    }

    [LibraryImport(Library, SetLastError = true)]
    public static partial int posix_openpt(int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int unlockpt(int fd);

    /// <summary>Returns an errno value itself (0 on success).</summary>
    [LibraryImport(Library)]
    public static partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int ioctl(SafeHandle fd, nuint request, in WinSize size);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int tcgetattr(SafeHandle fd, out Termios termios);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int tcsetattr(SafeHandle fd, int actions, in Termios termios);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport(Library, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* pair);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_init(nint actions);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_destroy(nint actions);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_adddup2(nint actions, int fd, int newFd);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addopen(nint actions, int fd, string path, int flags, uint mode);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addchdir_np(nint actions, string path);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_init(nint attributes);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_destroy(nint attributes);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setflags(nint attributes, short flags);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setsigmask(nint attributes, nint signals);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setsigdefault(nint attributes, nint signals);

    [LibraryImport(Library)]
    public static partial int sigemptyset(nint signals);

    [LibraryImport(Library)]
    public static partial int sigfillset(nint signals);

    /// <summary>Returns an errno value itself (0 on success) rather than setting errno.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn(out int pid, string path, nint fileActions, nint attributes, nint* argv, nint* envp);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Library)]
    public static partial nint strerror(int errno);

    [LibraryImport(Library)]
    public static partial uint geteuid();

    /// <summary>statx(2): unlike stat, the same layout on every architecture (stx_mode: u16 at offset 28 of 256 bytes).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int directory, string path, int flags, uint mask, byte* buffer);

    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int O_NONBLOCK = 0x800;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLET = 0x80000000;

    /// <summary>struct epoll_event { uint32 events; uint64 data; }: packed on x86-64 (12 bytes), aligned on arm64 (16).</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint read(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint write(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    public const int WNOHANG = 1;

    /// <summary>A descriptor that becomes readable when the process exits (Linux 5.3).</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial int pidfd_open(int pid, uint flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_ctl(int epoll, int operation, int fd, byte* ev);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_wait(int epoll, byte* events, int maxEvents, int timeout);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, uint owner, uint group);

    /// <summary>chown(2), failing with the C library's reason.</summary>
    public static void ChangeOwner(string path, uint owner, uint group)
    {
        if (chown(path, owner, group) != 0)
        {
            throw new IOException($"chown {path}: {LastErrorText()}");
        }
    }

    /// <summary>Per thread (unlike setuid): the ids the kernel checks file access with. Returns the previous id.</summary>
    [LibraryImport(Library)]
    public static partial int setfsuid(uint fsuid);

    [LibraryImport(Library)]
    public static partial int setfsgid(uint fsgid);

    /// <summary>The user's groups, as initgroups would set them (NSS).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int getgrouplist(string user, uint group, uint* groups, ref int count);

    /// <summary>
    /// The raw system call: glibc's setgroups() changes every thread of the process (POSIX says so),
    /// the system call only the calling one.
    /// </summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial nint syscall(nint number, nint count, uint* groups);

    public static readonly nint SysSetgroups = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 116 : 159;

    /// <summary>The C library's text for an errno value.</summary>
    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";

    /// <summary>The text for the last failed call's errno.</summary>
    public static string LastErrorText() => ErrorText(Marshal.GetLastPInvokeError());
}
