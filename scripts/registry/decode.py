"""Reads a Kafka topic and decodes each record's key and value with Confluent's own deserializers.

The independent check of what the destination produced: Confluent's Python client (librdkafka) reads
the records, and Confluent's Avro, JSON Schema and Protobuf deserializers decode them against the
schema registry. Prints one JSON object per record on stdout:

    {"partition": 0, "offset": 3, "key": ..., "value": ..., "key_schema_id": 1, "value_schema_id": 2,
     "value_message": "demo.Order", "value_message_indexes": [0]}

Protobuf: Confluent's ProtobufDeserializer needs the generated message class, and with a registry it
fetches schemas in the `serialized` form, which Apicurio does not serve as Confluent does. So the
writer schema's text is fetched by id with Confluent's registry client, compiled with protoc
(grpcio-tools), the message is picked by the Confluent message indexes read by Confluent's own
framing code, and ProtobufDeserializer (without a registry) parses the record.

Registry credentials come from the environment (REGISTRY_BASIC_AUTH=user:password), not argv.
"""

import argparse
import base64
import datetime
import decimal
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient, dual_schema_id_deserializer
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.common.serde import SchemaId
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, json_format
from google.protobuf.message_factory import GetMessageClass

FORMATS = ["string", "json", "avro", "json-schema", "protobuf", "raw"]


def to_json(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class ProtobufDecoder:
    """Compiles each writer schema once (by id) and parses records with Confluent's deserializer."""

    def __init__(self, registry, workdir):
        self.registry = registry
        self.workdir = workdir
        self.modules = {}

    def _module(self, schema_id):
        if schema_id in self.modules:
            return self.modules[schema_id]
        schema = self.registry.get_schema(schema_id)
        folder = os.path.join(self.workdir, f"s{schema_id}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"schema{schema_id}.proto"), "w") as f:
            f.write(schema.schema_str)
        from grpc_tools import protoc
        import grpc_tools

        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        code = protoc.main(["protoc", f"-I{folder}", f"-I{include}", f"--python_out={folder}", f"schema{schema_id}.proto"])
        if code != 0:
            raise RuntimeError(f"protoc could not compile schema {schema_id}")
        spec = importlib.util.spec_from_file_location(f"schema{schema_id}_pb2", os.path.join(folder, f"schema{schema_id}_pb2.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.modules[schema_id] = module
        return module

    def __call__(self, data, ctx):
        schema_id = SchemaId("PROTOBUF")
        dual_schema_id_deserializer(data, ctx, schema_id)
        module = self._module(schema_id.id)
        file_proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(file_proto)
        descriptor = module.DESCRIPTOR.message_types_by_name[file_proto.message_type[schema_id.message_indexes[0]].name]
        for index in schema_id.message_indexes[1:]:
            descriptor = descriptor.nested_types[index]
        message_class = GetMessageClass(descriptor)
        message = ProtobufDeserializer(message_class, {"use.deprecated.format": False})(data, ctx)
        return (
            json_format.MessageToDict(message, preserving_proto_field_name=True),
            {"schema_id": schema_id.id, "message": descriptor.full_name, "message_indexes": schema_id.message_indexes},
        )


def make_decoder(fmt, registry, workdir):
    if fmt in ("string", "json"):
        return lambda data, ctx: ((data.decode("utf-8") if fmt == "string" else json.loads(data)), {})
    if fmt == "raw":
        return lambda data, ctx: (base64.b64encode(data).decode("ascii"), {})
    if fmt == "protobuf":
        return ProtobufDecoder(registry, workdir)
    if fmt == "avro":
        deserializer = AvroDeserializer(registry)
    else:
        deserializer = JSONDeserializer(None, schema_registry_client=registry)

    def decode(data, ctx):
        schema_id = SchemaId(fmt.upper())
        dual_schema_id_deserializer(data, ctx, schema_id)
        return deserializer(data, ctx), {"schema_id": schema_id.id}

    return decode


def first_offset(consumer, args, partition):
    """Where reading starts in a partition: --offset, the last --last records, else the beginning."""
    if args.offset is not None:
        return args.offset
    if args.last is not None:
        low, high = consumer.get_watermark_offsets(TopicPartition(args.topic, partition), timeout=args.timeout)
        return max(low, high - args.last)
    return OFFSET_BEGINNING


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--registry", required=True, help="base URL of the Confluent-compatible API")
    parser.add_argument("--ca", help="CA file for an https registry")
    parser.add_argument("--key-format", choices=FORMATS, default="string")
    parser.add_argument("--value-format", choices=FORMATS, default="avro")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the end of the topic")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--offset", type=int, help="start at this offset in every partition (default: the beginning)")
    start.add_argument("--last", type=int, help="only the last N records of every partition")
    args = parser.parse_args()
    if (args.offset is not None and args.offset < 0) or (args.last is not None and args.last < 1):
        parser.error("--offset must be 0 or more, --last 1 or more")

    conf = {"url": args.registry}
    if os.environ.get("REGISTRY_BASIC_AUTH"):
        conf["basic.auth.user.info"] = os.environ["REGISTRY_BASIC_AUTH"]
    if args.ca:
        conf["ssl.ca.location"] = args.ca
    registry = SchemaRegistryClient(conf)

    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": f"decode-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    metadata = consumer.list_topics(args.topic, timeout=args.timeout)
    topic = metadata.topics.get(args.topic)
    if topic is None or topic.error is not None:
        print(f"topic {args.topic} not found: {topic.error if topic else ''}", file=sys.stderr)
        return 2
    partitions = sorted(topic.partitions)
    consumer.assign([TopicPartition(args.topic, p, first_offset(consumer, args, p)) for p in partitions])

    with tempfile.TemporaryDirectory() as workdir:
        decoders = {
            MessageField.KEY: make_decoder(args.key_format, registry, workdir),
            MessageField.VALUE: make_decoder(args.value_format, registry, workdir),
        }
        at_end = set()
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=args.timeout)
        while len(at_end) < len(partitions):
            if datetime.datetime.now() > deadline:
                print(f"timed out before the end of {args.topic}", file=sys.stderr)
                return 3
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition())
                    continue
                print(f"consume error: {msg.error()}", file=sys.stderr)
                return 4
            at_end.discard(msg.partition())
            out = {"partition": msg.partition(), "offset": msg.offset()}
            for field, name in ((MessageField.KEY, "key"), (MessageField.VALUE, "value")):
                data = msg.key() if field == MessageField.KEY else msg.value()
                if data is None:
                    out[name] = None
                    continue
                ctx = SerializationContext(args.topic, field, msg.headers())
                try:
                    decoded, facts = decoders[field](data, ctx)
                except Exception as error:  # reported per record, so a test sees which one failed
                    out[f"{name}_error"] = f"{type(error).__name__}: {error}"
                    continue
                out[name] = decoded
                for fact, value in facts.items():
                    out[f"{name}_{fact}"] = value
            print(json.dumps(out, default=to_json), flush=True)
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
