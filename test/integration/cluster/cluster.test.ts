/**
 * The three-node cluster's suites. They share its nodes, and the fault scenarios stop, kill and pause
 * them, so they run in this one file, one after the other, while the other files run on other workers.
 */
import './smoke.suite'
import './faults.suite'
import './idempotent-delivery.suite'
