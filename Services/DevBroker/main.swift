// scms-devbroker — hosts librdkafka's mock Kafka cluster as a process of its own.
//
// See `DevBroker.usage` for what it does and does not emulate.
import CRdKafka
import Foundation
import Kafka
import ServiceKit

exit(DevBroker.main(Array(CommandLine.arguments.dropFirst())))
