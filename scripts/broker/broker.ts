/**
 * The project's own single-node Apache Kafka broker (KRaft, broker + controller in one JVM), built
 * from Kafka's jars on Maven Central: no Docker, no release tarball. Used by `npm run broker:*`, the
 * Jest global setup, the local server and the benchmarks, so every one of them runs the same broker.
 * Its configuration is in ./config.ts, its process lifecycle in ./lifecycle.ts; this module is the
 * one import for both.
 */
export { BrokerError, checkPrerequisites } from './toolchain'
export { CERT_EXTENSIONS, createCa, issueCertificate } from './pki'
export * from './config'
export * from './lifecycle'
