using System.Diagnostics;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;

namespace K8shell.Ssh.Tests;

/// <summary>paramiko (Debian's, so /usr/bin/python3, not the pyenv python3 on PATH) as a scripted client.</summary>
internal static class Paramiko
{
    public const string User = "alice";
    public const string Password = "secret";

    /// <summary>A server config with <paramref name="hostKey"/> that lets the script's login (alice/secret) in.</summary>
    public static SshServerConfig AcceptingLogin(HostKey hostKey) => new()
    {
        HostKeys = [hostKey],
        PasswordCallback = (request, _) => ValueTask.FromResult(request.Password == Password ? AuthDecision.Accept() : AuthDecision.Reject()),
    };

    /// <summary>
    /// Runs <paramref name="script"/> with <c>t</c>, a paramiko Transport to 127.0.0.1:<paramref name="port"/>
    /// after its key exchange, and, with <paramref name="login"/>, already authenticated as alice/secret;
    /// with <paramref name="redirectInput"/> the test writes the script's stdin.
    /// </summary>
    public static Process Start(int port, string script, bool login, bool redirectInput = false)
    {
        var program = $"""
            import socket, time, paramiko
            s = socket.create_connection(("127.0.0.1", {port}))
            t = paramiko.Transport(s)
            t.start_client(timeout=10)
            {(login ? $"t.auth_password(\"{User}\", \"{Password}\")" : "")}

            """ + script;
        var startInfo = new ProcessStartInfo("/usr/bin/python3", ["-c", program]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput };
        return Process.Start(startInfo)!;
    }
}
