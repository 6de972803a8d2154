import {describe, expect, it} from 'vitest'
import {childLocation, formatLocation, joinUri, parentUri, parseLocation} from '../../src/storage/uri.js'

describe('parseLocation: paths as Flink writes them', () => {
  it.each([
    ['/var/flink/ha', {kind: 'local', path: '/var/flink/ha'}],
    ['/var/flink//ha/', {kind: 'local', path: '/var/flink/ha'}],
    ['file:///var/flink/ha', {kind: 'local', path: '/var/flink/ha'}],
    ['file:/var/flink/ha', {kind: 'local', path: '/var/flink/ha'}],
    ['file://localhost/var/flink/ha', {kind: 'local', path: '/var/flink/ha'}],
    ['ha/jrs', {kind: 'local', path: '/work/ha/jrs'}],
    ['s3://bucket/ha/job-result-store/app', {kind: 's3', scheme: 's3', bucket: 'bucket', key: 'ha/job-result-store/app'}],
    ['s3a://bucket/ha//x/', {kind: 's3', scheme: 's3a', bucket: 'bucket', key: 'ha/x'}],
    ['S3P://bucket', {kind: 's3', scheme: 's3p', bucket: 'bucket', key: ''}],
  ])('%s', (text, expected) => {
    expect(parseLocation(text, '/work')).toEqual(expected)
  })

  it.each([
    ['hdfs:///flink/ha', 'STORAGE_UNSUPPORTED', /cannot read hdfs:\/\/ paths/],
    ['gs://b/x', 'STORAGE_UNSUPPORTED', /gs:\/\//],
    ['s3:/bucket/x', 'USAGE', /not an S3 URI/],
    ['s3:///x', 'USAGE', /no valid bucket name/],
    ['file://otherhost/x', 'USAGE', /names host "otherhost"/],
    ['', 'USAGE', /empty path/],
  ])('%s is refused with exit 2', (text, code, message) => {
    try {
      parseLocation(text)
      expect.unreachable()
    } catch (e: any) {
      expect(e.code).toBe(code)
      expect(e.exit).toBe(2)
      expect(e.message).toMatch(message)
      expect(e.hint).toBeTruthy()
    }
  })

  it('formats, joins and climbs in the same scheme', () => {
    expect(formatLocation(parseLocation('s3a://b/k/'))).toBe('s3a://b/k')
    expect(joinUri('s3p://b/jrs', 'x_DIRTY.json')).toBe('s3p://b/jrs/x_DIRTY.json')
    expect(joinUri('file:///tmp/jrs', 'x.json')).toBe('/tmp/jrs/x.json')
    expect(parentUri('s3://b/a/c')).toBe('s3://b/a')
    expect(parentUri('s3://b/a')).toBe('s3://b')
    expect(formatLocation(childLocation(parseLocation('s3://b'), 'k'))).toBe('s3://b/k')
  })
})
