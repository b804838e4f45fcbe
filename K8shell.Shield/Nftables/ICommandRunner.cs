namespace K8shell.Shield.Nftables;

/// <summary>Runs a program to completion; injectable so tests see the command lines without running nft.</summary>
internal interface ICommandRunner
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> (no shell); throws when it fails.</summary>
    Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
