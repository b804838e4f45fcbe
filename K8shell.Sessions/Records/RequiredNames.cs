using Grpc.Core;

namespace K8shell.Sessions.Records;

/// <summary>
/// What a session ID (the proxy's <c>&lt;proxyId&gt;-&lt;pid&gt;-&lt;2 chars&gt;</c>) and a username may be: given, at most
/// <see cref="MaxLength"/> characters, no control characters, so what reaches logs and the web page is printable and bounded.
/// </summary>
internal static class RequiredNames
{
    public const int MaxLength = 128;

    /// <summary><paramref name="value"/>, or InvalidArgument naming <paramref name="field"/> and what is wrong with it.</summary>
    public static string Checked(string value, string field)
    {
        if (value.Length == 0)
        {
            throw Invalid($"{field} is required");
        }
        if (value.Length > MaxLength)
        {
            throw Invalid($"{field} is {value.Length} characters long; at most {MaxLength} are allowed");
        }
        if (value.Any(char.IsControl))
        {
            throw Invalid($"{field} contains a control character");
        }
        return value;
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
