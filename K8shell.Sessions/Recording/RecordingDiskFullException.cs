namespace K8shell.Sessions.Recording;

/// <summary>
/// The disk (or the user's quota) is full, so a recording could not be written. Its own type because the
/// gRPC layer answers it with ResourceExhausted, which tells the proxy to stop sending instead of retrying.
/// The file is still valid up to its last complete event or packet.
/// </summary>
internal sealed class RecordingDiskFullException(string path, IOException inner)
    : IOException($"The disk holding {path} is full; the recording ends at its last complete record.", inner)
{
    // errno on Linux (IOException.HResult carries it on Unix) and the Win32 codes, for completeness.
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);
    private const int ErrorDiskFull = unchecked((int)0x80070070);

    public string Path { get; } = path;

    /// <summary>Whether <paramref name="exception"/> says the disk or quota is full.</summary>
    public static bool IsDiskFull(IOException exception) =>
        exception.HResult is Enospc or Edquot or ErrorHandleDiskFull or ErrorDiskFull;
}
