namespace K8shell.AppHost.Running;

/// <summary>Interleaves every resource's output on one console, each line prefixed (and coloured on a terminal).</summary>
internal sealed class LogPrinter
{
    private static readonly string[] Colours = ["\e[36m", "\e[32m", "\e[33m", "\e[35m", "\e[34m", "\e[91m", "\e[96m"];
    private readonly Dictionary<string, string> _prefixes = [];
    private readonly bool _colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private readonly object _gate = new();

    public void Register(string name, int width)
    {
        var padded = name.PadRight(width);
        _prefixes[name] = _colour ? $"{Colours[_prefixes.Count % Colours.Length]}{padded} |\e[0m " : $"{padded} | ";
    }

    public void Write(string name, string line)
    {
        lock (_gate)
        {
            Console.Out.WriteLine(_prefixes[name] + line);
        }
    }

    /// <summary>A line from the AppHost itself.</summary>
    public void Say(string line)
    {
        lock (_gate)
        {
            Console.Out.WriteLine(_colour ? $"\e[1m{line}\e[0m" : line);
        }
    }
}
