using Grpc.Core;

namespace K8shell.Sessions.Records;

/// <summary>
/// What a session did, as two-letter codes (reference §1.11): sh shell, pt pty, ex exec, sf sftp,
/// pf port forward, ux unix-socket forward, af agent forward. Stored as one space-separated, sorted text.
/// </summary>
internal static class OperationCodes
{
    private static readonly HashSet<string> Known = ["sh", "pt", "ex", "sf", "pf", "ux", "af"];

    /// <summary>The codes sorted and unique; InvalidArgument naming <paramref name="field"/> for a code that is not one of ours.</summary>
    public static SortedSet<string> Checked(IEnumerable<string> codes, string field)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var code in codes)
        {
            if (!Known.Contains(code))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"{field}: \"{code}\" is not an operation code (sh pt ex sf pf ux af)"));
            }
            set.Add(code);
        }
        return set;
    }

    public static string Format(IEnumerable<string> codes) => string.Join(' ', codes);

    public static SortedSet<string> Parse(string stored) =>
        new(stored.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
