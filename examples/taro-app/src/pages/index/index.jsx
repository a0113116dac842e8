import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { runDemo } from '../../sdk-demo'

// On load: MPServerless anonymous authorize + one db call, then an Authing password login.
export default function Index() {
  const [status, setStatus] = useState('running')
  useLoad(() => {
    runDemo().then((r) => setStatus(r.ok ? 'done' : 'failed: ' + JSON.stringify(r.steps)))
  })
  return (
    <View className='index'>
      <Text id='sdk-status'>{status}</Text>
    </View>
  )
}
