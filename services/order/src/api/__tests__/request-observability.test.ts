/** Route labels of the HTTP metrics: OpenAPI templates, never raw paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openApiDocument, routeTemplates } from '../openapi.js';
import { routeLabeler } from '../request-observability.js';

describe('route labels', () => {
  const label = routeLabeler(routeTemplates(openApiDocument()));

  it('test_paths_are_labelled_with_their_openapi_template', () => {
    assert.equal(label('/orders'), '/orders');
    assert.equal(label('/orders/'), '/orders');
    assert.equal(label('/orders/0f6d2c7e-6a55-4d84-9a57-1d0c6f3c1b2a'), '/orders/{id}');
    assert.equal(label('/orders/abc/cancel'), '/orders/{id}/cancel');
    assert.equal(label('/Orders/abc/FULFIL'), '/orders/{id}/fulfil');
    for (const ops of ['/health', '/ready', '/metrics', '/openapi.json']) assert.equal(label(ops), ops);
  });

  it('test_paths_no_route_serves_are_unmatched', () => {
    for (const path of ['/', '/nope', '/orders/a/b', '/orders/a/cancel/x', '/healthz', '/openapi0json']) {
      assert.equal(label(path), 'unmatched', path);
    }
  });

  it('test_a_literal_segment_beats_a_parameter', () => {
    const labelled = routeLabeler(['/items/{id}', '/items/export']);
    assert.equal(labelled('/items/export'), '/items/export');
    assert.equal(labelled('/items/42'), '/items/{id}');
  });
});
