using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace K8shell.SshProxy.Tests.Authorization;

/// <summary>What the policy engine logs, to show what an operator is told (a refused reload, a failed evaluator).</summary>
internal sealed class LoggedMessages : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public bool Contains(string text) => _messages.Any(message => message.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Collector(_messages);

    public void Dispose()
    {
    }

    private sealed class Collector(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
