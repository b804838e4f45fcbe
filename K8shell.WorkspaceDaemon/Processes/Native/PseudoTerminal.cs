using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// A pseudo-terminal pair from openpty: we keep the master (the session's bytes), the child opens
/// the slave by name after setsid, which makes it the child's controlling terminal.
/// </summary>
internal sealed class PseudoTerminal : IDisposable
{
    private readonly SafeFileHandle _master;
    private int _slave;

    private PseudoTerminal(SafeFileHandle master, int slave, string slavePath)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
    }

    /// <summary>/dev/pts/N.</summary>
    public string SlavePath { get; }

    /// <summary>Reads what the program writes to its terminal; writes are its keyboard input.</summary>
    public Stream OpenMasterStream() => new FileStream(_master, FileAccess.ReadWrite, bufferSize: 0);

    public static unsafe PseudoTerminal Open(ushort columns, ushort rows, ushort widthPixels, ushort heightPixels, IReadOnlyDictionary<byte, uint> modes)
    {
        var size = new LibC.WinSize { Columns = columns, Rows = rows, WidthPixels = widthPixels, HeightPixels = heightPixels };
        if (LibC.openpty(out var master, out var slave, 0, 0, in size) != 0)
        {
            throw new IOException($"openpty: {LibC.LastErrorText()}");
        }
        // Neither end may leak into children other than through the file actions that name them.
        LibC.fcntl(master, LibC.F_SETFD, LibC.FD_CLOEXEC);
        LibC.fcntl(slave, LibC.F_SETFD, LibC.FD_CLOEXEC);
        var masterHandle = new SafeFileHandle(master, ownsHandle: true);
        try
        {
            var name = stackalloc byte[256];
            var error = LibC.ttyname_r(slave, name, 256);
            if (error != 0)
            {
                throw new IOException($"ttyname_r: {LibC.ErrorText(error)}");
            }
            var terminal = new PseudoTerminal(masterHandle, slave, Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name)));
            terminal.ApplyModes(modes);
            return terminal;
        }
        catch
        {
            masterHandle.Dispose();
            LibC.close(slave);
            throw;
        }
    }

    /// <summary>TIOCSWINSZ on the master: the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public void Resize(ushort columns, ushort rows, ushort widthPixels, ushort heightPixels)
    {
        var size = new LibC.WinSize { Columns = columns, Rows = rows, WidthPixels = widthPixels, HeightPixels = heightPixels };
        if (LibC.ioctl((int)_master.DangerousGetHandle(), LibC.TIOCSWINSZ, in size) != 0)
        {
            throw new IOException($"TIOCSWINSZ: {LibC.LastErrorText()}");
        }
    }

    private void ApplyModes(IReadOnlyDictionary<byte, uint> modes)
    {
        if (modes.Count == 0)
        {
            return;
        }
        if (LibC.tcgetattr(_slave, out var termios) != 0)
        {
            throw new IOException($"tcgetattr: {LibC.LastErrorText()}");
        }
        TerminalModes.Apply(ref termios, modes);
        if (LibC.tcsetattr(_slave, LibC.TCSANOW, in termios) != 0)
        {
            throw new IOException($"tcsetattr: {LibC.LastErrorText()}");
        }
    }

    /// <summary>
    /// Once the child has opened the slave, our copy must go: otherwise reading the master never
    /// sees EIO (the end of the session) when the child and its descendants exit.
    /// </summary>
    public void CloseSlave()
    {
        var slave = Interlocked.Exchange(ref _slave, -1);
        if (slave >= 0)
        {
            LibC.close(slave);
        }
    }

    public void Dispose()
    {
        CloseSlave();
        _master.Dispose();
    }
}
