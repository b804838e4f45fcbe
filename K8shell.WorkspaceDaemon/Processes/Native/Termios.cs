using System.Runtime.InteropServices;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>Linux's <c>struct termios</c> (asm-generic layout: 60 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Termios
{
    public uint InputFlags;
    public uint OutputFlags;
    public uint ControlFlags;
    public uint LocalFlags;
    public byte Line;
    public fixed byte ControlCharacters[32];
    public uint InputSpeed;
    public uint OutputSpeed;
}

/// <summary>
/// Applies the terminal modes of an SSH pty-req (RFC 4254 §8, RFC 8160) to a Linux terminal, as sshd
/// does: each known opcode sets a control character or turns one flag on or off; unknown ones are skipped.
/// </summary>
internal static class TerminalModes
{
    private enum Field { Character, Input, Output, Control, Local }

    /// <summary>SSH opcode → which termios field and which bit (or control-character index).</summary>
    private static readonly Dictionary<byte, (Field Field, uint Value)> Map = new()
    {
        [1] = (Field.Character, 0), [2] = (Field.Character, 1), [3] = (Field.Character, 2), [4] = (Field.Character, 3), // VINTR VQUIT VERASE VKILL
        [5] = (Field.Character, 4), [6] = (Field.Character, 11), [7] = (Field.Character, 16), [8] = (Field.Character, 8), // VEOF VEOL VEOL2 VSTART
        [9] = (Field.Character, 9), [10] = (Field.Character, 10), [12] = (Field.Character, 12), [13] = (Field.Character, 14), // VSTOP VSUSP VREPRINT VWERASE
        [14] = (Field.Character, 15), [18] = (Field.Character, 13), // VLNEXT VDISCARD
        [30] = (Field.Input, 0x4), [31] = (Field.Input, 0x8), [32] = (Field.Input, 0x10), [33] = (Field.Input, 0x20), // IGNPAR PARMRK INPCK ISTRIP
        [34] = (Field.Input, 0x40), [35] = (Field.Input, 0x80), [36] = (Field.Input, 0x100), [37] = (Field.Input, 0x200), // INLCR IGNCR ICRNL IUCLC
        [38] = (Field.Input, 0x400), [39] = (Field.Input, 0x800), [40] = (Field.Input, 0x1000), [41] = (Field.Input, 0x2000), // IXON IXANY IXOFF IMAXBEL
        [42] = (Field.Input, 0x4000), // IUTF8
        [50] = (Field.Local, 0x1), [51] = (Field.Local, 0x2), [52] = (Field.Local, 0x4), [53] = (Field.Local, 0x8), // ISIG ICANON XCASE ECHO
        [54] = (Field.Local, 0x10), [55] = (Field.Local, 0x20), [56] = (Field.Local, 0x40), [57] = (Field.Local, 0x80), // ECHOE ECHOK ECHONL NOFLSH
        [58] = (Field.Local, 0x100), [59] = (Field.Local, 0x8000), [60] = (Field.Local, 0x200), [61] = (Field.Local, 0x800), // TOSTOP IEXTEN ECHOCTL ECHOKE
        [62] = (Field.Local, 0x4000), // PENDIN
        [70] = (Field.Output, 0x1), [71] = (Field.Output, 0x2), [72] = (Field.Output, 0x4), [73] = (Field.Output, 0x8), // OPOST OLCUC ONLCR OCRNL
        [74] = (Field.Output, 0x10), [75] = (Field.Output, 0x20), // ONOCR ONLRET
        [90] = (Field.Control, 0x20), [91] = (Field.Control, 0x30), [92] = (Field.Control, 0x100), [93] = (Field.Control, 0x200), // CS7 CS8 PARENB PARODD
    };

    /// <summary>SSH's "disabled" character; Linux's _POSIX_VDISABLE is 0.</summary>
    private const uint SshDisabled = 255;

    public static unsafe void Apply(ref Termios termios, IReadOnlyDictionary<byte, uint> modes)
    {
        foreach (var (opcode, value) in modes)
        {
            if (!Map.TryGetValue(opcode, out var target))
            {
                continue;
            }
            var on = value != 0;
            switch (target.Field)
            {
                case Field.Character:
                    termios.ControlCharacters[target.Value] = value == SshDisabled ? (byte)0 : (byte)value;
                    break;
                case Field.Input:
                    termios.InputFlags = Set(termios.InputFlags, target.Value, on);
                    break;
                case Field.Output:
                    termios.OutputFlags = Set(termios.OutputFlags, target.Value, on);
                    break;
                case Field.Local:
                    termios.LocalFlags = Set(termios.LocalFlags, target.Value, on);
                    break;
                case Field.Control when on:
                    // CS7 and CS8 are values of the CSIZE field, PARENB and PARODD single bits.
                    const uint CharacterSize = 0x30;
                    termios.ControlFlags = (target.Value & CharacterSize) != 0
                        ? (termios.ControlFlags & ~CharacterSize) | target.Value
                        : termios.ControlFlags | target.Value;
                    break;
                case Field.Control when (target.Value & 0x30) == 0:
                    termios.ControlFlags &= ~target.Value;
                    break;
            }
        }
    }

    private static uint Set(uint flags, uint bit, bool on) => on ? flags | bit : flags & ~bit;
}
