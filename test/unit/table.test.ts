import stringWidth from 'string-width'
import {describe, expect, it} from 'vitest'
import {type Column, displayWidth, renderView, truncate} from '../../src/render/table.js'

describe('table layout', () => {
  it('displayWidth agrees with string-width, fast paths included', () => {
    const samples = ['job-1', '', 'naïve café', 'Ωμέγα', 'Привет', '注文集計ジョブ', 'ｶﾀｶﾅ', 'ＦＵＬＬ', '한국어 작업', 'が', 'か\u3099', 'e\u0301', '👍 done', '家族👨‍👩‍👧', '\u00ad', 'x\u200by', '〿', 'ア・イ']
    for (const s of samples) expect(displayWidth(s), JSON.stringify(s)).toBe(stringWidth(s))
    expect(displayWidth('\x1b[31mred\x1b[39m')).toBe(3)
  })

  it('truncate cuts by display width and marks the cut', () => {
    expect(truncate('abcdefghij', 5)).toBe('abcd…')
    expect(truncate('/a/b/c/file123', 8, 'end')).toBe('…file123')
    expect(truncate('注文集計ジョブ', 6)).toBe('注文…')
    expect(displayWidth(truncate('注文集計ジョブ', 6))).toBeLessThanOrEqual(6)
    expect(truncate('short', 10)).toBe('short')
  })

  interface Row {
    id: string
    name: string
    path: string
  }
  const columns: Column<Row>[] = [
    {id: 'id', head: 'ID', cell: (r) => r.id},
    {id: 'name', head: 'NAME', cell: (r) => r.name, shrink: 1},
    {id: 'path', head: 'PATH', cell: (r) => r.path, wide: true, shrink: 2, keep: 'end'},
    {id: 'job', head: 'JOB', cell: () => 'j', flat: true},
  ]
  const rows: Row[] = [
    {id: '1', name: '注文集計ジョブ', path: '/var/flink/ha/job-result-store/a.json'},
    {id: '22', name: 'orders-aggregation-with-a-long-name', path: '/b.json'},
  ]

  it('aligns CJK by display width; wide, flat and --columns choose columns', () => {
    const text = renderView(columns, rows, {headers: true, wide: false}).split('\n')
    expect(text[0]).toBe('ID  NAME')
    expect(text[1]).toBe('1   注文集計ジョブ')
    const wide = renderView(columns, rows, {headers: true, wide: true}).split('\n')
    const at = wide.map((l) => displayWidth(l.slice(0, l.indexOf('/'))))
    expect(at[1]).toBe(at[2])
    expect(renderView(columns, rows, {headers: false, wide: false}, true).split('\n')[0].split(/\s+/)).toEqual(['1', '注文集計ジョブ', 'j'])
    expect(renderView(columns, rows, {headers: true, wide: false, columns: ['path', 'id']}).split('\n')[0]).toBe(`${'PATH'.padEnd(rows[0].path.length + 2)}ID`)
  })

  it('fits a width by cutting the lowest shrink first, never below the floor', () => {
    const fitted = renderView(columns, rows, {headers: true, wide: true, width: 40})
    expect(fitted).toBe(renderView(columns, rows, {headers: true, wide: true}))
    const narrow = renderView(columns, rows, {headers: true, wide: false, width: 30}).split('\n')
    for (const l of narrow) expect(displayWidth(l)).toBeLessThanOrEqual(30)
    expect(narrow[2]).toContain('…')
  })
})
