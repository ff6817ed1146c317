// Source an order and read it back, as a Node client would: the sourcing
// services are loaded from proto/sourcing/v1/*.proto, the health protocol from
// the exported descriptor set (descriptors/sourcing.v1.binpb), so nothing is
// hand-written. Usage: node source_order.js HOST:PORT ORDER_REF PRODUCT_REF
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const ROOT = path.resolve(__dirname, '..', '..');
const OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const DEADLINE_MS = 10000;

function loadContract() {
  const definition = protoLoader.loadSync(
    ['sourcing/v1/sourcing.proto', 'sourcing/v1/orders.proto'],
    { ...OPTIONS, includeDirs: [path.join(ROOT, 'proto')] },
  );
  return grpc.loadPackageDefinition(definition).sourcing.v1;
}

function loadHealth() {
  const set = fs.readFileSync(path.join(ROOT, 'descriptors', 'sourcing.v1.binpb'));
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(set, OPTIONS);
  return grpc.loadPackageDefinition(definition).grpc.health.v1;
}

function call(client, method, request) {
  const deadline = new Date(Date.now() + DEADLINE_MS);
  return new Promise((resolve, reject) => {
    client[method](request, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function main() {
  const [address, orderRef, productRef] = process.argv.slice(2);
  if (!address || !orderRef || !productRef) {
    throw new Error('usage: node source_order.js HOST:PORT ORDER_REF PRODUCT_REF');
  }
  const credentials = grpc.credentials.createInsecure();
  const v1 = loadContract();
  const health = new (loadHealth().Health)(address, credentials);
  const sourcing = new v1.SourcingService(address, credentials);
  const orders = new v1.OrderService(address, credentials);

  const status = await call(health, 'Check', { service: '' });
  const sourced = await call(sourcing, 'Source', {
    order: {
      ref: orderRef,
      type: 'ORDER_TYPE_HD',
      lines: [{ ref: '1', product_ref: productRef, quantity: 1 }],
      delivery_point: { latitude: 0.0, longitude: 0.0 },
      customer: { ref: 'NODE_CUSTOMER' },
    },
  });
  const stored = await call(orders, 'GetOrder', { order_ref: orderRef });
  // One JSON line, so a test (or a person) can read what happened.
  console.log(JSON.stringify({
    health: status.status,
    fulfilments: sourced.plan.fulfilments.map((f) => f.location_ref),
    order_ref: stored.order.ref,
    order_status: stored.order.status,
  }));
  for (const client of [health, sourcing, orders]) client.close();
}

main().catch((error) => {
  console.error(`${error.code !== undefined ? `gRPC ${error.code}: ` : ''}${error.message}`);
  process.exit(1);
});
