using Grpc.Core;
using Grpc.Core.Interceptors;

namespace K8shell.ServiceDefaults.ServiceClients;

/// <summary>
/// Gives unary calls without a deadline of their own <paramref name="deadline"/>, so a dependency that accepts
/// but never answers costs its caller that long and no longer. Streams are left alone: a workspace starting or a
/// session being recorded may rightly take minutes, so their callers choose.
/// </summary>
internal sealed class DefaultDeadline(TimeSpan deadline) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class =>
        context.Options.Deadline is null
            ? new(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline))
            : context;
}
