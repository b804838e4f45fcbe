using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.Core;
using K8shell.Testing.Otlp.Collector.Logs;
using K8shell.Testing.Otlp.Collector.Metrics;
using K8shell.Testing.Otlp.Collector.Trace;
using K8shell.Testing.Otlp.Common;
using K8shell.Testing.Otlp.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace K8shell.Testing.Otlp;

/// <summary>
/// An OpenTelemetry collector as far as the services' OTLP exporters can tell (OTLP over gRPC, HTTP/2 without TLS on
/// a loopback port): it keeps every span and log record it is sent, and each metric series' latest value, for the
/// tests to read. Point a service at it with OTEL_EXPORTER_OTLP_ENDPOINT=<see cref="Endpoint"/> and
/// OTEL_EXPORTER_OTLP_PROTOCOL=grpc.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<ReceivedLog> _logs = new();
    private readonly ConcurrentDictionary<string, ReceivedPoint> _points = new();

    private OtlpReceiver()
    {
    }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = LoopbackWebApplication.CreateHttp2Builder();
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        var receiver = new OtlpReceiver();
        builder.Services.AddSingleton(receiver);
        var app = receiver._app = builder.Build();
        app.MapGrpcService<TraceExport>();
        app.MapGrpcService<MetricsExport>();
        app.MapGrpcService<LogsExport>();
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Urls.Single());
        return receiver;
    }

    /// <summary>Every span received, oldest first.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>Every log record received, oldest first.</summary>
    public IReadOnlyList<ReceivedLog> Logs => [.. _logs];

    /// <summary>
    /// <paramref name="metric"/> of <paramref name="service"/> summed over its series whose attributes include every one
    /// of <paramref name="attributes"/> (a counter's total, a histogram's count); 0 before anything was received.
    /// </summary>
    public double Total(string service, string metric, params (string Key, string Value)[] attributes) =>
        _points.Values.Where(point => point.Service == service && point.Metric == metric
                && attributes.All(wanted => point.Attributes.TryGetValue(wanted.Key, out var value) && value == wanted.Value))
            .Sum(point => point.Value);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Receive(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = ServiceName(resource.Resource?.Attributes);
            foreach (var span in resource.ScopeSpans.SelectMany(scope => scope.Spans.Select(span => (Scope: scope.Scope?.Name ?? "", Span: span))))
            {
                _spans.Enqueue(new ReceivedSpan(service, span.Scope, span.Span.Name, Hex(span.Span.TraceId), Hex(span.Span.SpanId), Hex(span.Span.ParentSpanId),
                    span.Span.Kind, Attributes(span.Span.Attributes), span.Span.Status?.Code ?? Trace.Status.Types.StatusCode.Unset, span.Span.Status?.Message ?? ""));
            }
        }
    }

    private void Receive(ExportMetricsServiceRequest request)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            var service = ServiceName(resource.Resource?.Attributes);
            foreach (var metric in resource.ScopeMetrics.SelectMany(scope => scope.Metrics))
            {
                switch (metric.DataCase)
                {
                    case Metric.DataOneofCase.Sum:
                        var delta = metric.Sum.AggregationTemporality == AggregationTemporality.Delta;
                        foreach (var point in metric.Sum.DataPoints)
                        {
                            Record(service, metric.Name, point.Attributes, Number(point), delta);
                        }
                        break;
                    case Metric.DataOneofCase.Gauge:
                        foreach (var point in metric.Gauge.DataPoints)
                        {
                            Record(service, metric.Name, point.Attributes, Number(point), delta: false);
                        }
                        break;
                    case Metric.DataOneofCase.Histogram:
                        foreach (var point in metric.Histogram.DataPoints)
                        {
                            Record(service, metric.Name, point.Attributes, point.Count, metric.Histogram.AggregationTemporality == AggregationTemporality.Delta);
                        }
                        break;
                }
            }
        }
    }

    private void Receive(ExportLogsServiceRequest request)
    {
        foreach (var resource in request.ResourceLogs)
        {
            var service = ServiceName(resource.Resource?.Attributes);
            foreach (var record in resource.ScopeLogs.SelectMany(scope => scope.LogRecords))
            {
                _logs.Enqueue(new ReceivedLog(service, Text(record.Body), Attributes(record.Attributes), Hex(record.TraceId)));
            }
        }
    }

    /// <summary>Cumulative points replace the series' value (each carries the total so far); delta points add to it.</summary>
    private void Record(string service, string metric, RepeatedField<KeyValue> attributes, double value, bool delta)
    {
        var tags = Attributes(attributes);
        var key = $"{service}\n{metric}\n{string.Join("\n", tags.OrderBy(tag => tag.Key, StringComparer.Ordinal).Select(tag => $"{tag.Key}={tag.Value}"))}";
        _points.AddOrUpdate(key, _ => new ReceivedPoint(service, metric, tags, value),
            (_, known) => known with { Value = delta ? known.Value + value : value });
    }

    private static double Number(NumberDataPoint point) => point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

    private static string ServiceName(RepeatedField<KeyValue>? attributes) =>
        attributes?.FirstOrDefault(attribute => attribute.Key == "service.name") is { } name ? Text(name.Value) : "";

    private static Dictionary<string, string> Attributes(RepeatedField<KeyValue> attributes) =>
        attributes.GroupBy(attribute => attribute.Key).ToDictionary(group => group.Key, group => Text(group.Last().Value));

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => string.Join(",", value.ArrayValue.Values.Select(Text)),
        AnyValue.ValueOneofCase.KvlistValue => string.Join(",", value.KvlistValue.Values.Select(pair => $"{pair.Key}={Text(pair.Value)}")),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        _ => "",
    };

    private static string Hex(ByteString id) => Convert.ToHexStringLower(id.Span);

    private sealed class TraceExport(OtlpReceiver receiver) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            receiver.Receive(request);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    private sealed class MetricsExport(OtlpReceiver receiver) : MetricsService.MetricsServiceBase
    {
        public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
        {
            receiver.Receive(request);
            return Task.FromResult(new ExportMetricsServiceResponse());
        }
    }

    private sealed class LogsExport(OtlpReceiver receiver) : LogsService.LogsServiceBase
    {
        public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
        {
            receiver.Receive(request);
            return Task.FromResult(new ExportLogsServiceResponse());
        }
    }
}

/// <summary>A span as exported: IDs in lower-case hex (the parent's empty for a root), attribute values as text.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string Name, string TraceId, string SpanId, string ParentSpanId,
    Trace.Span.Types.SpanKind Kind, IReadOnlyDictionary<string, string> Attributes, Trace.Status.Types.StatusCode Status, string StatusMessage)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);
}

/// <summary>A log record as exported: its body (the formatted message) and attributes (the message's values and the logger's scopes).</summary>
public sealed record ReceivedLog(string Service, string Body, IReadOnlyDictionary<string, string> Attributes, string TraceId);

/// <summary>One metric series' latest total.</summary>
internal sealed record ReceivedPoint(string Service, string Metric, IReadOnlyDictionary<string, string> Attributes, double Value);
