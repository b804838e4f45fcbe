using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// A pseudo-terminal: we hold only the master (the session's bytes); the child opens the slave by
/// name after setsid, which makes it the child's controlling terminal. The master is opened
/// close-on-exec atomically (posix_openpt, not openpty), so no process spawned meanwhile by another
/// thread can inherit it; and since we never open the slave, the session's output ends (EIO) as
/// soon as the last process on the terminal exits.
/// </summary>
internal sealed class PseudoTerminal : IDisposable
{
    private readonly SafeFileHandle _master;

    private PseudoTerminal(SafeFileHandle master, string slavePath)
    {
        _master = master;
        SlavePath = slavePath;
    }

    /// <summary>/dev/pts/N.</summary>
    public string SlavePath { get; }

    /// <summary>Reads what the program writes to its terminal; writes are its keyboard input. Disposing it closes the master.</summary>
    public Stream OpenMasterStream() => new TerminalStream(_master);

    public static unsafe PseudoTerminal Open(TerminalSize size, IReadOnlyDictionary<byte, uint> modes)
    {
        var master = LibC.posix_openpt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        if (master < 0)
        {
            throw new IOException($"posix_openpt: {LibC.LastErrorText()}");
        }
        var handle = new SafeFileHandle(master, ownsHandle: true);
        try
        {
            if (LibC.grantpt(master) != 0 || LibC.unlockpt(master) != 0)
            {
                throw new IOException($"grantpt/unlockpt: {LibC.LastErrorText()}");
            }
            var name = stackalloc byte[256];
            var error = LibC.ptsname_r(master, name, 256);
            if (error != 0)
            {
                throw new IOException($"ptsname_r: {LibC.ErrorText(error)}");
            }
            var terminal = new PseudoTerminal(handle, Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name)));
            terminal.Resize(size);
            terminal.ApplyModes(modes);
            return terminal;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The device becomes the user's, readable and writable by them alone (no `mesg y` for others).</summary>
    public void GiveTo(uint uid, uint gid)
    {
        LibC.ChangeOwner(SlavePath, uid, gid);
        File.SetUnixFileMode(SlavePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>TIOCSWINSZ: the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public void Resize(TerminalSize size)
    {
        var winSize = new LibC.WinSize { Columns = size.Columns, Rows = size.Rows, WidthPixels = size.WidthPixels, HeightPixels = size.HeightPixels };
        int result;
        try
        {
            result = LibC.ioctl(_master, LibC.TIOCSWINSZ, in winSize);
        }
        catch (ObjectDisposedException)
        {
            return; // hung up after its shell exited: nothing left to resize
        }
        if (result != 0)
        {
            throw new IOException($"TIOCSWINSZ: {LibC.LastErrorText()}");
        }
    }

    /// <summary>Terminal attributes belong to the pair: setting them through the master sets them for the slave.</summary>
    private void ApplyModes(IReadOnlyDictionary<byte, uint> modes)
    {
        if (modes.Count == 0)
        {
            return;
        }
        if (LibC.tcgetattr(_master, out var termios) != 0)
        {
            throw new IOException($"tcgetattr: {LibC.LastErrorText()}");
        }
        TerminalModes.Apply(ref termios, modes);
        if (LibC.tcsetattr(_master, LibC.TCSANOW, in termios) != 0)
        {
            throw new IOException($"tcsetattr: {LibC.LastErrorText()}");
        }
    }

    public void Dispose() => _master.Dispose();
}
